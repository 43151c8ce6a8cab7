"""By-elections held between general elections: records, validation, and "held before" filtering.

A by-election is public on the night it is counted, so a forecast may use every by-election held
*strictly before* its date, and none after: :func:`byelections_before` is the only way the
models read them, and it never returns a later one. The bundled file
(``byelections/byelections_2010_2024_candidates.csv.gz``, House of Commons Library, Open
Parliament Licence; provenance in its ``SOURCE.md``) holds the 59 by-elections of the
2010-2024 parliaments, one row per candidate.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from seatcast.data.parties import normalise_code
from seatcast.errors import DataError

BUNDLED_FILE = "byelections/byelections_2010_2024_candidates.csv.gz"
COLUMNS: tuple[str, ...] = (
    "date", "ons_id", "constituency_name", "country_name", "party_name", "party_abbreviation",
    "candidate_first_name", "candidate_surname", "votes", "electorate", "previous_general_election",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GE = re.compile(r"ge\d{4}")


@dataclass(frozen=True)
class ByCandidate:
    """One candidate of a by-election: party code (as in the general-election files) and votes."""

    party: str
    name: str
    votes: int


@dataclass(frozen=True)
class ByElection:
    """One by-election: where, when, which parliament (its opening general election) and the candidates."""

    date: str
    seat: str  # ons_id on the boundaries then in force
    name: str
    nation: str
    electorate: int
    previous_general_election: str
    candidates: tuple[ByCandidate, ...]

    @property
    def valid_votes(self) -> int:
        """Sum of the candidates' votes (valid votes)."""
        return sum(c.votes for c in self.candidates)

    def shares(self) -> dict[str, float]:
        """Party code -> vote share (0-1); several candidates of one code (independents) add up."""
        total = self.valid_votes or 1
        out: dict[str, float] = {}
        for c in self.candidates:
            out[c.party] = out.get(c.party, 0.0) + c.votes / total
        return out

    @property
    def winner(self) -> str:
        """Party code of the candidate with the most votes."""
        return max(self.candidates, key=lambda c: c.votes).party


def parse_byelections(text: str, file: str) -> tuple[ByElection, ...]:
    """Validate and group the rows of a by-election CSV (the bundled layout, see ``SOURCE.md``).

    Any bad cell raises :class:`~seatcast.errors.DataError` naming the file, row and field.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise DataError("empty file", file=file)
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", file=file, row=1)
    col = {c: header.index(c) for c in COLUMNS}
    groups: dict[tuple[str, str], dict[str, object]] = {}
    for row_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            raise DataError(f"{len(cells)} fields, expected {len(header)}", file=file, row=row_no)

        def cell(name: str, row_no: int = row_no, cells: Sequence[str] = cells) -> str:
            value = cells[col[name]].strip()
            if not value:
                raise DataError("empty", file=file, row=row_no, field=name)
            return value

        def count(name: str, row_no: int = row_no) -> int:
            value = cell(name)
            if not value.isdigit():
                raise DataError(f"{value!r} is not a non-negative whole number", file=file, row=row_no, field=name)
            return int(value)

        date = cell("date")
        if not _DATE.fullmatch(date):
            raise DataError(f"{date!r} is not a date YYYY-MM-DD", file=file, row=row_no, field="date")
        ge = cell("previous_general_election")
        if not _GE.fullmatch(ge):
            raise DataError(f"{ge!r} is not a general-election id such as ge2019", file=file, row=row_no,
                            field="previous_general_election")
        seat = cell("ons_id")
        key = (date, seat)
        first = f"{cells[col['candidate_first_name']].strip()} {cells[col['candidate_surname']].strip()}".strip()
        cand = ByCandidate(normalise_code(cell("party_abbreviation")), first, count("votes"))
        g = groups.setdefault(key, {"name": cell("constituency_name"), "nation": cell("country_name"),
                                    "electorate": count("electorate"), "ge": ge, "cands": [], "row": row_no})
        if g["ge"] != ge:
            raise DataError(f"{ge!r} differs from {g['ge']!r} on row {g['row']} of the same by-election",
                            file=file, row=row_no, field="previous_general_election")
        cands = g["cands"]
        assert isinstance(cands, list)
        cands.append(cand)
    out = []
    for (date, seat), g in sorted(groups.items()):
        cands = g["cands"]
        assert isinstance(cands, list)
        if sum(c.votes for c in cands) <= 0:
            raise DataError(f"by-election in {seat} on {date} has no votes", file=file, row=int(str(g["row"])),
                            field="votes")
        out.append(ByElection(date=date, seat=seat, name=str(g["name"]), nation=str(g["nation"]),
                              electorate=int(str(g["electorate"])), previous_general_election=str(g["ge"]),
                              candidates=tuple(sorted(cands, key=lambda c: -c.votes))))
    return tuple(out)


@cache
def bundled_byelections() -> tuple[ByElection, ...]:
    """Every bundled by-election, oldest first (read once). Prefer :func:`byelections_before`."""
    from seatcast.data.bundled import open_text

    return parse_byelections(open_text(BUNDLED_FILE), BUNDLED_FILE)


def read_byelections(path: Path) -> tuple[ByElection, ...]:
    """By-elections from a CSV file in the bundled layout (plain or gzipped)."""
    import gzip

    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return parse_byelections(data.decode("utf-8-sig"), str(path))


def byelections_before(date: str, *, since: str | None = None,
                       source: Sequence[ByElection] | None = None) -> tuple[ByElection, ...]:
    """The by-elections held strictly before ``date`` (and on or after ``since``), oldest first.

    The one door through which a forecast reads by-elections: one held on or after the
    forecast date is never returned (the guard test records what passes through here).
    """
    if not _DATE.fullmatch(date):
        raise DataError(f"{date!r} is not a date YYYY-MM-DD", field="date")
    pool = bundled_byelections() if source is None else source
    return tuple(b for b in pool if b.date < date and (since is None or b.date >= since))
