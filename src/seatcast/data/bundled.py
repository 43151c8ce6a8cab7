"""The elections and polls that ship inside the package, and where they came from.

The files live in ``seatcast/data/bundled/uk`` (gzipped copies of ``shared/data/uk``, each folder
with its provenance as ``SOURCE.md``). Nothing here touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from seatcast.data.loaders import read_hoc, read_notional
from seatcast.data.schema import Election

LICENCE = (
    "Contains Parliamentary information licensed under the Open Parliament Licence v3.0 "
    "(House of Commons Library)."
)
NOTIONAL_CREDIT = (
    "2019 notional result on the 2024 boundaries: Rallings & Thrasher, D. Denver (Scotland) and "
    "N. Whyte (NI) for BBC, ITV, Sky and PA, as loaded by the House of Commons Library."
)


@dataclass(frozen=True)
class BundledElection:
    """What the package knows of one bundled election before reading it."""

    id: str
    name: str
    date: str | None
    file: str
    kind: str
    boundaries: str
    source: str
    licence: str


BUNDLED: tuple[BundledElection, ...] = (
    BundledElection("ge2010", "UK general election 2010", "2010-05-06", "results/ge2010_candidates.csv.gz",
                    "general", "2010", "House of Commons Library, RP10-36", LICENCE),
    BundledElection("ge2015", "UK general election 2015", "2015-05-07", "results/ge2015_candidates.csv.gz",
                    "general", "2010", "House of Commons Library, CBP-7186", LICENCE),
    BundledElection("ge2017", "UK general election 2017", "2017-06-08", "results/ge2017_candidates.csv.gz",
                    "general", "2010", "House of Commons Library, CBP-7979", LICENCE),
    BundledElection("ge2019", "UK general election 2019", "2019-12-12", "results/ge2019_candidates.csv.gz",
                    "general", "2010", "House of Commons Library, CBP-8749", LICENCE),
    BundledElection("ge2019n24", "2019 notional result on the 2024 boundaries", "2019-12-12",
                    "results/ge2019n24.csv.gz", "notional", "2024", NOTIONAL_CREDIT, LICENCE),
    BundledElection("ge2024", "UK general election 2024", "2024-07-04", "results/ge2024_candidates.csv.gz",
                    "general", "2024", "House of Commons Library, CBP-10009", LICENCE),
)


def data_path(relative: str) -> Path:
    """Filesystem path of a bundled file (``polls/final_polls.csv.gz``...)."""
    root = resources.files("seatcast.data") / "bundled" / "uk"
    return Path(str(root / relative))


def open_text(relative: str) -> str:
    """The text of a bundled (gzipped) file."""
    return gzip.decompress(data_path(relative).read_bytes()).decode("utf-8")


def load_bundled(spec: BundledElection) -> Election:
    """Read one bundled election from the package files."""
    path = data_path(spec.file)
    with gzip.open(path, "rb") as fh:
        if spec.kind == "notional":
            el = read_notional(fh, spec.id, name=spec.name, label=spec.file)
        else:
            el = read_hoc(fh, spec.id, name=spec.name, date=spec.date, label=spec.file)
    return Election(
        id=spec.id, name=spec.name, date=date.fromisoformat(spec.date) if spec.date else None, kind=spec.kind,
        boundaries=spec.boundaries,
        source=spec.source, licence=spec.licence, constituencies=el.constituencies,
    )


@cache
def folder_digest(relative: str) -> str:
    """SHA-256 over the files of one bundled folder (names and bytes, sorted by name).

    A fitted model that reads bundled inputs (nominations, covariates, tactical advice, polls)
    puts this in its fingerprint, so a release with new bundled inputs refits. A pure function
    of files that never change while the process runs: ``functools.cache`` is safe here.
    """
    h = hashlib.sha256()
    root = data_path(relative)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
