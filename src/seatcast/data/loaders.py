"""Readers that turn result files into validated :class:`~seatcast.data.schema.Election` records.

Formats:

``hoc``
    House of Commons Library candidate files (CSV or XLSX), in the header dialects the Library
    has used, and the normalised form bundled with seatcast.
``generic``
    Any FPTP election: ``district_id,district_name,region,party,candidate,votes`` plus optional
    ``electorate``, ``incumbent`` (yes/no) and ``party_code``.
``notional``
    Party shares per seat (the bundled 2019 notional result on the 2024 boundaries).

Every reader validates the whole file before returning, and raises
:class:`~seatcast.errors.DataError` naming the file, row and field of the first problem.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import IO

import pandas as pd

from seatcast.data.parties import IND, normalise_code
from seatcast.data.schema import Candidacy, Constituency, Election
from seatcast.errors import DataError

HOC_COLUMNS = [
    "ons_id", "constituency_name", "region_name", "country_name", "electorate", "valid_votes",
    "party_name", "party_abbreviation", "candidate_first_name", "candidate_surname",
    "sitting_mp", "former_mp", "votes",
]


def _yes_no(value: object) -> bool | None:
    text = str(value).strip().lower() if value is not None and value == value else ""
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    return None


def read_hoc(
    source: str | Path | IO[bytes],
    election_id: str,
    *,
    name: str | None = None,
    date: str | None = None,
    label: str | None = None,
) -> Election:
    """Read a House of Commons Library candidate file (normalised dialect) into an Election."""
    file = label or str(source)
    df = pd.read_csv(source, dtype=str, keep_default_na=False)
    missing = [c for c in HOC_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", file=file, field=missing[0])
    seats: dict[str, list[Candidacy]] = defaultdict(list)
    meta: dict[str, tuple[str, str, str, int | None, int]] = {}
    for i, row in enumerate(df.itertuples(index=False), start=2):
        r = row._asdict()
        try:
            votes = int(r["votes"])
            valid = int(r["valid_votes"])
            electorate = int(r["electorate"]) if r["electorate"] else None
        except ValueError as exc:
            raise DataError(f"not an integer: {exc}", file=file, row=i, field="votes") from None
        if votes < 0:
            raise DataError(f"negative votes ({votes})", file=file, row=i, field="votes")
        cand_name = f"{r['candidate_first_name']} {r['candidate_surname']}".strip()
        code = normalise_code(r["party_abbreviation"])
        seats[r["ons_id"]].append(
            Candidacy(
                name=cand_name,
                party_code=code,
                party_label=r["party_name"],
                votes=votes,
                share=votes / valid if valid else 0.0,
                sitting_mp=_yes_no(r["sitting_mp"]),
                former_mp=_yes_no(r["former_mp"]),
            )
        )
        meta[r["ons_id"]] = (r["constituency_name"], r["region_name"], r["country_name"], electorate, valid)
    return Election(
        id=election_id,
        name=name or election_id,
        date=date,
        kind="general",
        constituencies=tuple(_constituency(sid, meta[sid], cands) for sid, cands in seats.items()),
    )


def read_notional(
    source: str | Path | IO[bytes], election_id: str, *, name: str | None = None, label: str | None = None
) -> Election:
    """Read a notional result: party shares per seat, with the seat's weight as valid votes."""
    file = label or str(source)
    df = pd.read_csv(source, dtype={"notional_share": float}, keep_default_na=False)
    seats: dict[str, list[Candidacy]] = defaultdict(list)
    meta: dict[str, tuple[str, str, str, int | None, int]] = {}
    for i, row in enumerate(df.itertuples(index=False), start=2):
        r = row._asdict()
        share = float(r["notional_share"])
        if not 0.0 <= share <= 1.0:
            raise DataError(f"share {share} outside [0, 1]", file=file, row=i, field="notional_share")
        code = normalise_code(str(r["party_abbreviation"]))
        seats[r["ons_id"]].append(
            Candidacy(name="", party_code=code, party_label=str(r["party_abbreviation"]), votes=None, share=share)
        )
        meta[r["ons_id"]] = (
            r["constituency_name"], r["region_name"], r["country_name"], int(r["electorate"]), int(r["valid_votes"])
        )
    return Election(
        id=election_id,
        name=name or election_id,
        kind="notional",
        constituencies=tuple(_constituency(sid, meta[sid], cands) for sid, cands in seats.items()),
    )


def _constituency(
    seat_id: str, meta: tuple[str, str, str, int | None, int], cands: list[Candidacy]
) -> Constituency:
    name, region, nation, electorate, valid = meta
    ordered = tuple(sorted(cands, key=lambda c: (c.share, c.votes or 0), reverse=True))
    return Constituency(
        id=seat_id, name=name, region=region, nation=nation, electorate=electorate,
        valid_votes=valid, candidacies=ordered,
    )


__all__ = ["read_hoc", "read_notional", "IND"]
