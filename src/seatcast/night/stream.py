"""Reading results as they are declared: a growing CSV or JSON-lines file, or standard input.

Rows have the generic import schema's columns, ``district_id,district_name,region,party,
candidate,votes`` and an optional ``party_code``: one row per candidate. The format is found
from the first non-blank line (``{`` starts JSON lines, anything else is a CSV header).

A *declaration* is a run of consecutive rows for one seat: it is complete when a row for another
seat arrives, at a blank line, when a followed file goes quiet, or at the end of the stream.
What happens on the night:

* a seat declared twice, identically: the repeat changes nothing (reported, not re-projected);
* a seat declared again with different votes (a correction): the new result replaces the old,
  the count of declared seats stays the same;
* a seat that is not in the base (an unknown name or id): a :class:`~seatcast.errors.UnknownNameError`
  with the nearest names goes to the error callback and the stream goes on;
* a bad row (votes not a whole number, a missing column): a :class:`~seatcast.errors.DataError`
  naming the line goes to the error callback; that seat's block is dropped;
* an empty stream or one that ends early: the session simply holds fewer declarations; a seat
  under recount is just not declared yet and keeps being projected.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from seatcast.data.parties import IND, NAMES, code_from_label, normalise_code
from seatcast.data.schema import Election
from seatcast.errors import DataError, SeatcastError, check_seed
from seatcast.night.model import NightPrior, NightProjection, NightSettings, simulate_night
from seatcast.night.prior import shares_from_candidates, winner_code

COLUMNS = ("district_id", "district_name", "region", "party", "candidate", "votes")

#: Published party labels that do not reduce to a seatcast code by themselves.
LABEL_CODES: dict[str, str] = {
    "labour": "lab", "labour and co-operative": "lab", "labour co-operative": "lab", "labour & co-operative": "lab",
    "conservative": "con", "conservative and unionist": "con", "liberal democrats": "ld", "liberal democrat": "ld",
    "green": "green", "green party": "green", "scottish national party": "snp", "plaid cymru": "pc",
    "reform uk": "ruk", "brexit party": "brx", "the brexit party": "brx", "independent": IND, "speaker": "spk",
}
_NAME_CODES = {v.lower(): k for k, v in NAMES.items()}


@dataclass(frozen=True)
class ResultRow:
    """One candidate's declared votes."""

    district_id: str
    district_name: str
    region: str
    party_code: str
    candidate: str
    votes: int
    line: int

    @property
    def seat_key(self) -> str:
        """The id when given, else the name."""
        return self.district_id or self.district_name


@dataclass(frozen=True)
class Declaration:
    """A seat's complete declared result."""

    seat_key: str
    seat_name: str
    rows: tuple[ResultRow, ...]

    def votes(self) -> dict[tuple[str, str], int]:
        """Votes per (party, candidate); a candidate listed twice keeps the last row (replace)."""
        return {(r.party_code, r.candidate): r.votes for r in self.rows}


def party_code_of(label: str, code: str | None) -> str:
    """A row's party code: ``party_code`` when given, else from the label."""
    if code and code.strip():
        return normalise_code(code)
    low = label.strip().lower()
    return LABEL_CODES.get(low) or _NAME_CODES.get(low) or (low if low in NAMES else code_from_label(label))


def parse_row(record: dict[str, Any], line: int, file: str) -> ResultRow:
    """Validate one row (a CSV dict or a JSON object)."""
    missing = [c for c in COLUMNS if c not in record or (record[c] is None and c in ("party", "votes"))]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", file=file, row=line, field=missing[0])
    try:
        votes = int(str(record["votes"]).strip().replace(",", ""))
    except ValueError:
        raise DataError(f"votes {record['votes']!r} is not a whole number", file=file, row=line,
                        field="votes") from None
    if votes < 0:
        raise DataError(f"negative votes ({votes})", file=file, row=line, field="votes")
    if not str(record["district_id"] or "").strip() and not str(record["district_name"] or "").strip():
        raise DataError("no district_id or district_name", file=file, row=line, field="district_id")
    return ResultRow(
        district_id=str(record["district_id"] or "").strip(), district_name=str(record["district_name"] or "").strip(),
        region=str(record.get("region") or "").strip(),
        party_code=party_code_of(str(record["party"] or ""), record.get("party_code")),
        candidate=str(record.get("candidate") or "").strip(), votes=votes, line=line,
    )


def read_rows(lines: Iterable[str | None], *, file: str = "<stream>",
              on_error: Callable[[SeatcastError], None]) -> Iterator[ResultRow | None]:
    """Rows from lines (CSV with a header, or JSON lines); ``None`` marks a pause or a blank line."""
    header: list[str] | None = None
    is_json: bool | None = None
    for n, text in enumerate(lines, start=1):
        if text is None or not text.strip():
            yield None
            continue
        if is_json is None:
            is_json = text.lstrip().startswith("{")
            if not is_json:
                header = [h.strip() for h in next(csv.reader([text]))]
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    on_error(DataError(f"missing column(s) {', '.join(missing)}", file=file, row=n,
                                       field=missing[0]))
                    return
                continue
        try:
            if is_json:
                obj = json.loads(text)
                if not isinstance(obj, dict):
                    raise DataError("a JSON line must be an object", file=file, row=n)
                record = obj
            else:
                assert header is not None
                values = next(csv.reader([text]))
                record = dict(zip(header, values, strict=False))
            yield parse_row(record, n, file)
        except json.JSONDecodeError as exc:
            on_error(DataError(f"not JSON: {exc.msg}", file=file, row=n))
        except DataError as exc:
            on_error(exc)


def declarations(rows: Iterable[ResultRow | None]) -> Iterator[Declaration]:
    """Group consecutive rows of one seat into declarations (see the module docstring)."""
    pending: list[ResultRow] = []
    for row in rows:
        if pending and (row is None or row.seat_key.lower() != pending[0].seat_key.lower()):
            yield Declaration(pending[0].seat_key, pending[0].district_name, tuple(pending))
            pending = []
        if row is not None:
            pending.append(row)
    if pending:
        yield Declaration(pending[0].seat_key, pending[0].district_name, tuple(pending))


def follow(path: Path, *, poll: float = 0.5, idle_timeout: float = 0.0) -> Iterator[str | None]:
    """Lines of a file that may still grow; ``None`` when it goes quiet; stop after ``idle_timeout`` s idle."""
    with path.open(encoding="utf-8") as fh:
        yield from _follow_handle(fh, poll=poll, idle_timeout=idle_timeout)


def _follow_handle(fh: IO[str], *, poll: float, idle_timeout: float) -> Iterator[str | None]:
    idle = 0.0
    buffer = ""
    while True:
        chunk = fh.readline()
        if chunk:
            buffer += chunk
            if buffer.endswith("\n"):
                yield buffer.rstrip("\r\n")
                buffer = ""
                idle = 0.0
            continue
        if idle >= idle_timeout:
            if buffer:
                yield buffer
            return
        yield None
        time.sleep(poll)
        idle += poll


@dataclass
class NightSession:
    """The state of the night: which seats have declared, with what shares and winners."""

    prior: NightPrior
    base: Election
    settings: NightSettings = field(default_factory=NightSettings)
    seed: int = 0
    declared: np.ndarray[Any, Any] = field(init=False)
    actual: np.ndarray[Any, Any] = field(init=False)
    winners: list[str | None] = field(init=False)
    votes: dict[int, dict[tuple[str, str], int]] = field(init=False, default_factory=dict)
    updates: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        check_seed(self.seed)
        self.declared = np.zeros(self.prior.n_seats, dtype=bool)
        self.actual = np.zeros_like(self.prior.prior)
        self.winners = [None] * self.prior.n_seats
        self._row = {sid: i for i, sid in enumerate(self.prior.seat_ids)}

    @property
    def n_declared(self) -> int:
        """Seats declared so far."""
        return int(self.declared.sum())

    def apply(self, decl: Declaration) -> str:
        """Record a declaration: ``"new"``, ``"corrected"`` or ``"duplicate"``; unknown seats raise."""
        c = self.base.seat(decl.seat_key) if self.base.has_seat(decl.seat_key) or not decl.seat_name \
            else self.base.seat(decl.seat_name)
        i = self._row[c.id]
        votes = decl.votes()
        if sum(votes.values()) <= 0:
            raise DataError(f"{c.name}: declared with no votes", row=decl.rows[0].line)
        if i in self.votes and self.votes[i] == votes:
            return "duplicate"
        kind = "corrected" if self.declared[i] else "new"
        self.votes[i] = votes
        self.actual[i] = shares_from_candidates(((p, float(v)) for (p, _), v in votes.items()), self.prior.parties)
        (best_party, _), _ = max(votes.items(), key=lambda kv: kv[1])
        self.winners[i] = winner_code(best_party, self.prior.parties)
        self.declared[i] = True
        return kind

    def project(self, last_seat: str | None = None) -> NightProjection:
        """The projection now; each update draws from its own seeded stream (same seed, same output)."""
        self.updates += 1
        rng = np.random.default_rng([self.seed, self.updates])
        return simulate_night(self.prior, self.declared, self.actual, self.winners, settings=self.settings,
                              rng=rng, last_seat=last_seat)
