"""By-elections held between general elections: records, validation, and "held before" filtering.

A by-election is public on the night it is counted, so a forecast may use every by-election held
*strictly before* its date, and none after: :func:`byelections_before` is the only way the
models read them, and it never returns a later one. The bundled file
(``byelections/byelections_2010_2024_candidates.csv.gz``, House of Commons Library, Open
Parliament Licence; provenance in its ``SOURCE.md``) holds the 59 by-elections of the
2010-2024 parliaments, one row per candidate.

:class:`ParliamentEvidence` is what :mod:`seatcast.fit.byelections` measures from them for one
parliament: a plain value (stored with the covariate fit) that the kernel binding reads through
:func:`seat_terms`, so the models never import the code that measures it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class ParliamentEvidence:
    """The by-election statistics of one parliament (:mod:`seatcast.fit.byelections` measures them)."""

    previous: str  # the general election that opened the parliament
    as_of: str
    n: int = 0  # GB by-elections read
    squeeze: float = 0.0
    n_squeeze: int = 0
    over: dict[str, float] = field(default_factory=dict)
    seats: tuple[tuple[str, str], ...] = ()  # (date, seat) of each by-election read
    #: seat id -> (normalised seat name, role -> performance against the polls, winner's role)
    by_seat: dict[str, tuple[str, dict[str, float], str | None]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready numbers."""
        return {"previous": self.previous, "as_of": self.as_of, "n": self.n, "squeeze": round(self.squeeze, 4),
                "n_squeeze": self.n_squeeze, "over": {r: round(v, 4) for r, v in self.over.items()}}

    def to_params(self) -> dict[str, Any]:
        """Every field exactly (JSON floats round-trip), for the stored covariate fit."""
        return {"previous": self.previous, "as_of": self.as_of, "n": self.n, "squeeze": self.squeeze,
                "n_squeeze": self.n_squeeze, "over": dict(self.over), "seats": [list(s) for s in self.seats],
                "by_seat": {k: [n, dict(o), w] for k, (n, o, w) in self.by_seat.items()}}

    @classmethod
    def from_params(cls, p: Mapping[str, Any]) -> ParliamentEvidence:
        """Inverse of :meth:`to_params`."""
        return cls(previous=str(p["previous"]), as_of=str(p["as_of"]), n=int(p["n"]), squeeze=float(p["squeeze"]),
                   n_squeeze=int(p["n_squeeze"]), over={str(r): float(v) for r, v in p["over"].items()},
                   seats=tuple((str(d), str(s)) for d, s in p["seats"]),
                   by_seat={str(k): (str(n), {str(r): float(v) for r, v in o.items()}, None if w is None else str(w))
                            for k, (n, o, w) in p["by_seat"].items()})


def seat_name_key(name: str) -> str:
    """A seat name reduced to lower-case letters and digits (how a by-election seat is matched by name)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def seat_terms(ev: ParliamentEvidence | None, seat_ids: Sequence[str],
               names: Sequence[str]) -> list[tuple[dict[str, float], str | None] | None]:
    """Per seat: its by-election's performance against the polls per role and winner's role (``None``: none held).

    A seat matches by GSS code, else by name (a seat on new boundaries that kept its name).
    """
    if ev is None or not ev.by_seat:
        return [None] * len(seat_ids)
    by_name = {n: (o, w) for n, o, w in ev.by_seat.values()}
    out: list[tuple[dict[str, float], str | None] | None] = []
    for sid, name in zip(seat_ids, names, strict=True):
        if sid in ev.by_seat:
            _, o, w = ev.by_seat[sid]
            out.append((o, w))
        else:
            out.append(by_name.get(seat_name_key(name)))
    return out
