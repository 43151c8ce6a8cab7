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
* a bad row (votes not a whole number or negative, a missing column, a broken JSON line, bytes
  that are not UTF-8): a :class:`~seatcast.errors.DataError` naming the line goes to the error
  callback and the *whole* declaration it belongs to is rejected, never declared from its
  remaining rows (a missing candidate can hand the seat to the wrong party). A line whose seat
  cannot be read rejects the declarations on both sides of it, since it may belong to either.
  The night goes on without that seat (or with its earlier result) until a complete, valid set
  of its rows arrives;
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

from seatcast.data.loaders import MAX_COUNT
from seatcast.data.parties import IND, NAMES, code_from_label, normalise_code
from seatcast.data.schema import Election
from seatcast.errors import DataError, SeatcastError, check_seed
from seatcast.night.model import NightPrior, NightProjection, NightSettings, simulate_night
from seatcast.night.prior import shares_from_candidates, winner_code
from seatcast.simulate.limits import check_sims

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
class BadRow:
    """A line that could not be read as a row: it rejects the declaration it belongs to.

    ``seat_key`` is the seat the line names when that much could be read, else ``None`` (a
    broken JSON line, undecodable bytes): such a line may belong to the seat before it or after it.
    """

    seat_key: str | None
    line: int


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
    if votes > MAX_COUNT:
        raise DataError(f"votes {votes} is more than {MAX_COUNT:,}: not a real count", file=file, row=line,
                        field="votes")
    if not str(record["district_id"] or "").strip() and not str(record["district_name"] or "").strip():
        raise DataError("no district_id or district_name", file=file, row=line, field="district_id")
    return ResultRow(
        district_id=str(record["district_id"] or "").strip(), district_name=str(record["district_name"] or "").strip(),
        region=str(record.get("region") or "").strip(),
        party_code=party_code_of(str(record["party"] or ""), record.get("party_code")),
        candidate=str(record.get("candidate") or "").strip(), votes=votes, line=line,
    )


def _seat_key_of(record: dict[str, Any]) -> str | None:
    """The seat a (possibly bad) record names, if it names one."""
    key = str(record.get("district_id") or "").strip() or str(record.get("district_name") or "").strip()
    return key or None


def _undecodable_at(text: str) -> int | None:
    """Column (from 1) of the first byte that was not UTF-8, or ``None`` (see :func:`decode_line`)."""
    for i, ch in enumerate(text):
        if "\udc80" <= ch <= "\udcff":
            return i + 1
    return None


def decode_line(raw: bytes) -> str:
    """A line of bytes as text; bytes that are not UTF-8 stay visible to :func:`read_rows` as lone surrogates.

    Decoding with ``surrogateescape`` instead of failing means one bad byte costs one line (reported
    by :func:`read_rows` with its number), never the night.
    """
    return raw.decode("utf-8", errors="surrogateescape").rstrip("\r\n")


def read_rows(lines: Iterable[str | None], *, file: str = "<stream>",
              on_error: Callable[[SeatcastError], None]) -> Iterator[ResultRow | BadRow | None]:
    """Rows from lines (CSV with a header, or JSON lines); ``None`` marks a pause or a blank line.

    A line that cannot be read is reported to ``on_error`` and passed on as a :class:`BadRow`, so
    that :func:`declarations` rejects its seat instead of declaring it from the rows left.
    """
    header: list[str] | None = None
    is_json: bool | None = None
    for n, text in enumerate(lines, start=1):
        if text is None or not text.strip():
            yield None
            continue
        col = _undecodable_at(text)
        if col is not None:
            on_error(DataError(f"bytes that are not UTF-8 text at column {col}; line skipped", file=file, row=n))
            yield BadRow(None, n)
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
        record: dict[str, Any] = {}
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
            yield BadRow(None, n)
        except DataError as exc:
            on_error(exc)
            yield BadRow(_seat_key_of(record), n)


def declarations(rows: Iterable[ResultRow | BadRow | None], *,
                 on_reject: Callable[[SeatcastError], None] | None = None) -> Iterator[Declaration]:
    """Group consecutive rows of one seat into declarations (see the module docstring).

    A declaration with a :class:`BadRow` in it is not yielded: ``on_reject`` hears which seat was
    left undeclared and why. A bad line whose seat is unknown rejects the run before it and the
    run right after it (up to a blank line or pause, which ends a declaration).
    """
    pending: list[ResultRow] = []
    bad: list[int] = []  # lines of bad rows in the pending run
    bad_key: str | None = None  # the pending run's seat when only bad rows named it so far
    poison_next = False  # a bad line of unknown seat came last: the next run may be its seat
    poison_line = 0

    def close() -> Iterator[Declaration]:
        if bad:
            if on_reject is not None and (pending or bad_key):  # a lone unreadable line named no seat
                what = pending[0].district_name or pending[0].seat_key if pending else bad_key
                lines = ", ".join(str(n) for n in bad)
                on_reject(DataError(f"{what}: not declared: its rows include a bad line ({lines}); waiting for a "
                                    "complete, valid set of its rows"))
        elif pending:
            yield Declaration(pending[0].seat_key, pending[0].district_name, tuple(pending))

    for row in rows:
        key = row.seat_key if isinstance(row, ResultRow) else row.seat_key if isinstance(row, BadRow) else None
        current = pending[0].seat_key if pending else bad_key
        if (pending or bad) and (row is None or (key is not None and current is not None
                                                 and key.lower() != current.lower())):
            yield from close()
            pending, bad, bad_key = [], [], None
        if row is None:
            poison_next = False
            continue
        if not pending and not bad and poison_next:
            bad.append(poison_line)
        if isinstance(row, BadRow):
            bad.append(row.line)
            bad_key = bad_key or row.seat_key
            poison_next = row.seat_key is None
            poison_line = row.line
        else:
            pending.append(row)
            poison_next = False
    yield from close()


def follow(path: Path, *, poll: float = 0.5, idle_timeout: float = 0.0) -> Iterator[str | None]:
    """Lines of a file that may still grow; ``None`` when it goes quiet; stop after ``idle_timeout`` s idle.

    The file is read as bytes and each complete line decoded on its own (:func:`decode_line`), so
    a byte that is not UTF-8, or a character cut in half by a writer mid-line, never ends the night.
    """
    with path.open("rb") as fh:
        yield from _follow_handle(fh, poll=poll, idle_timeout=idle_timeout)


def _follow_handle(fh: IO[bytes], *, poll: float, idle_timeout: float) -> Iterator[str | None]:
    idle = 0.0
    buffer = b""
    while True:
        chunk = fh.readline()
        if chunk:
            buffer += chunk
            if buffer.endswith(b"\n"):
                yield decode_line(buffer)
                buffer = b""
                idle = 0.0
            continue
        if idle >= idle_timeout:
            if buffer:
                yield decode_line(buffer)
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
        check_sims(self.settings.n_sims, what="sims")
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
