"""The bundled statements of persons nominated: who stood where, known weeks before polling day."""

from __future__ import annotations

import gzip
from functools import cache

import pandas as pd

from seatcast.data.bundled import BUNDLED, data_path


@cache
def bundled_nominations(date: str) -> dict[str, list[tuple[str, str, bool]]]:
    """The statement of persons nominated for the bundled general election held on ``date``.

    Only the candidate, party and sitting-MP columns are read (never the votes): nominations
    close weeks before polling day, so a backtest may use them. Empty when none is bundled.
    """
    spec = next((b for b in BUNDLED if b.date == date and b.kind == "general"), None)
    if spec is None:
        return {}
    with gzip.open(data_path(spec.file), "rb") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False,
                         usecols=["ons_id", "party_abbreviation", "candidate_first_name", "candidate_surname",
                                  "sitting_mp"])
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for r in df.itertuples(index=False):
        name = f"{r.candidate_first_name} {r.candidate_surname}".strip()
        out.setdefault(str(r.ons_id), []).append(
            (str(r.party_abbreviation).strip().lower(), name, str(r.sitting_mp).strip().lower() == "yes"))
    return out
