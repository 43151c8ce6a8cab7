"""Import a results file into the store: validate all of it, then write it in one transaction.

The order matters. The file is read and checked row by row and district by district
(:func:`seatcast.data.loaders.read_election`) before the store is touched, so a bad file leaves
the database exactly as it was; the write itself is one SQLite transaction
(:meth:`seatcast.data.store.Store.save`), so re-importing an election replaces it all at once and a
failure half way rolls back. Bundled election ids (``ge2019``...) cannot be imported over: the
store refills its bundled elections from the package whenever one is missing, which would
silently undo such an import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from seatcast.data.bundled import BUNDLED
from seatcast.data.loaders import FORMATS, read_election
from seatcast.data.parties import election_names
from seatcast.data.store import Store
from seatcast.errors import InputError

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*", re.ASCII)
#: Longest election id: the web API's limit on names.
MAX_ID_LENGTH = 80


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the record the CLI prints and tests check."""

    election: str
    name: str
    format: str
    file: str
    seats: int
    candidacies: int
    replaced: bool
    regions: tuple[str, ...]
    seats_won: dict[str, int]
    warnings: tuple[str, ...] = ()
    #: Code -> the party name the file gave it (kept in the store as each candidacy's label).
    party_names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON output."""
        return {
            "election": self.election, "name": self.name, "format": self.format, "file": self.file,
            "seats": self.seats, "candidacies": self.candidacies, "replaced": self.replaced,
            "regions": list(self.regions), "seats_won": dict(self.seats_won), "warnings": list(self.warnings),
            "party_names": dict(self.party_names),
        }


def check_election_id(election_id: str) -> str:
    """An election id must be a short token (letters, digits, ``_ . -``) that is not bundled."""
    eid = election_id.strip()
    if len(eid) > MAX_ID_LENGTH:  # the web server refuses longer names, so such an election could not be shown
        raise InputError(f"--election {eid[:20]!r}...: an id has at most {MAX_ID_LENGTH} characters, not {len(eid)}")
    if not _ID.fullmatch(eid):
        raise InputError(f"--election {election_id!r}: use letters, digits, '_', '.' or '-' (e.g. nz2023)")
    if eid in {b.id for b in BUNDLED}:
        raise InputError(f"--election {eid}: that id is a bundled election; import under another id (e.g. {eid}b)")
    return eid


def import_file(
    path: str | Path,
    election_id: str,
    *,
    store: Store,
    fmt: str | None = None,
    name: str | None = None,
    date: str | None = None,
) -> ImportReport:
    """Read, validate and store one file as election ``election_id`` (all of it or nothing).

    ``fmt`` is ``hoc`` or ``generic``; ``None`` detects it from the header. ``date`` is
    ``YYYY-MM-DD``. Raises :class:`~seatcast.errors.DataError` for a bad file and
    :class:`~seatcast.errors.InputError` for bad arguments, in both cases before any write.
    """
    eid = check_election_id(election_id)
    if fmt is not None and fmt.strip().lower() not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if date is not None:
        try:
            date = Date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            raise InputError(f"--date {date!r}: expected YYYY-MM-DD") from None
    file = Path(path)
    parsed = read_election(file, eid, fmt=fmt, name=name, date=date, label=str(file), kind="imported",
                           source_note=f"imported from {file.name}")
    el = parsed.election
    replaced = store.has(eid)
    store.save(el)
    return ImportReport(
        election=eid, name=el.name, format=parsed.format, file=str(file), seats=len(el),
        candidacies=sum(len(c.candidacies) for c in el.constituencies), replaced=replaced,
        regions=el.nations, seats_won=el.seats_won(), warnings=parsed.warnings,
        party_names=election_names(el),
    )


__all__ = ["ImportReport", "check_election_id", "import_file"]
