"""What the by-elections of a parliament say about the next general election.

Two statistics per parliament, from the GB by-elections held after its opening general election
and strictly before the forecast date (read only through
:func:`seatcast.data.byelections.byelections_before`):

* ``squeeze``: how strongly the anti-Conservative vote concentrated behind the best-placed
  challenger. In each by-election where the Conservatives (the governing party of 2010-2024)
  were first or second at the general election, the challenger *R* is the anti-Conservative
  party best placed then; the other anti-Conservative parties' share is compared with what
  they would have had on the national polling change since the general election,
  ``f_b = 1 - donors_by / expected_donors`` (clipped to [0, 1]): the same quantity as the
  kernel's squeeze fraction ``f``, measured where voters were free to act on it. The
  parliament's value is the mean over such by-elections.
* ``over``: each party's by-election performance against its national polling at the time,
  ``(share_by - share_ge) - (poll_then - national_ge)`` in share units, averaged over the
  by-elections where it stood both times.

And per seat that held one (:func:`seatcast.data.byelections.seat_terms`): each party's performance against the polls in
that seat, and the by-election's winner. Seats are matched by GSS code, or by name on other
boundaries (on the 2024 boundaries about half of the 2019-2024 by-election seats keep their name).

National polling at the time is the mean of the PollBase polls (bundled, to December 2020)
whose fieldwork ended in the 30 days before the by-election. PollBase stops at the end of 2020
and no later poll series is bundled; for a by-election after it the polling is interpolated
linearly in time between PollBase's last 30 days and the final polls of the general election
the forecast is for, which are public on the forecast date (an approximation, said in
docs/covariate-model.md). The Scottish and Welsh parties have no GB poll series: their
national change is taken as zero.

The result is a :class:`~seatcast.data.byelections.ParliamentEvidence`, a plain value stored
with the covariate fit. How far these statistics are trusted is decided in
:mod:`seatcast.fit.covariate`, by the same rolling-origin rule as every other input.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from seatcast.data.bundled import open_text
from seatcast.data.byelections import ByElection, ParliamentEvidence, byelections_before, seat_name_key
from seatcast.data.schema import Election

#: Roles whose by-election performance is measured (the populist right as one role).
ROLES: tuple[str, ...] = ("con", "lab", "ld", "green", "right", "snp", "pc")
ANTI_CON: tuple[str, ...] = ("lab", "ld", "green", "snp", "pc")
RIGHT_CODES = frozenset({"ukip", "brx", "ruk"})
#: Days of polling averaged before a by-election.
POLL_WINDOW_DAYS = 30
POLLBASE_FILE = "polls/polls_all_pollbase.csv.gz"
GB = ("England", "Scotland", "Wales")


def role(code: str) -> str | None:
    """The role of a party code (``None`` for independents and minor parties)."""
    if code in RIGHT_CODES:
        return "right"
    return code if code in ROLES else None


def role_shares(shares: Mapping[str, float]) -> dict[str, float]:
    """Party-code shares summed per role."""
    out: dict[str, float] = {}
    for code, s in shares.items():
        r = role(code)
        if r is not None:
            out[r] = out.get(r, 0.0) + s
    return out


@cache
def _pollbase() -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(open_text(POLLBASE_FILE)))
    df["end"] = pd.to_datetime(df["fieldwork_end"])
    right = df[["ukip", "bxp"]].fillna(0).sum(axis=1)
    df["right"] = right.where(df[["ukip", "bxp"]].notna().any(axis=1))
    return df.rename(columns={"grn": "green"})


def _window(end: pd.Timestamp) -> dict[str, float]:
    df = _pollbase()
    rows = df[(df["end"] < end) & (df["end"] >= end - pd.Timedelta(days=POLL_WINDOW_DAYS))]
    out = {}
    for r in ("con", "lab", "ld", "green", "right"):
        v = pd.to_numeric(rows[r], errors="coerce").dropna()
        if len(v):
            out[r] = float(v.mean()) / 100
    return out


def polls_at(day: str, final: Mapping[str, float] | None, final_date: str | None) -> dict[str, float]:
    """GB polling (role -> share, 0-1) on ``day``: PollBase, or interpolated after it ends (module docstring)."""
    when = pd.Timestamp(day)
    last = _pollbase()["end"].max()
    if when <= last + pd.Timedelta(days=1):
        return _window(when)
    start = _window(last + pd.Timedelta(days=1))
    if not final or final_date is None:
        return start
    end = pd.Timestamp(final_date)
    w = float(np.clip((when - last).days / max((end - last).days, 1), 0.0, 1.0))
    return {r: (1 - w) * start[r] + w * final[r] for r in start if r in final}


def national_shares(election: Election) -> dict[str, float]:
    """GB vote share per role at a general election."""
    return role_shares(election.vote_shares(nations=set(GB)))


def seat_shares(election: Election, seat: str) -> dict[str, float] | None:
    """Role shares in one seat of ``election`` (``None`` when the seat is not there)."""
    if not election.has_seat(seat):
        return None
    c = election.seat(seat)
    total = sum(k.votes or 0 for k in c.candidacies) or 1
    return role_shares({k.party_code: (k.votes or 0) / total for k in c.candidacies})


def measure(previous: Election, as_of: str, *, final: Mapping[str, float] | None = None,
            final_date: str | None = None, source: Sequence[ByElection] | None = None) -> ParliamentEvidence:
    """The by-election statistics of the parliament opened by ``previous``, before ``as_of``.

    ``final`` (role -> share) and ``final_date`` are the final polls of the election being
    forecast, used only to interpolate the polling after PollBase ends.
    """
    if previous.date is None:
        return ParliamentEvidence(previous=previous.id, as_of=as_of)
    held = [b for b in byelections_before(as_of, since=previous.date.isoformat(), source=source)
            if b.previous_general_election == previous.id and b.nation in GB]
    nat = national_shares(previous)
    sq: list[float] = []
    over: dict[str, list[float]] = {}
    seats = []
    by_seat: dict[str, tuple[str, dict[str, float], str | None]] = {}
    for b in held:
        ge = seat_shares(previous, b.seat)
        if ge is None:
            continue
        seats.append((b.date, b.seat))
        by = role_shares(b.shares())
        polls = polls_at(b.date, final, final_date)
        change = {r: polls[r] - nat.get(r, 0.0) if r in polls else 0.0 for r in ROLES}
        mine = {}
        for r in ROLES:
            if ge.get(r, 0) > 0 and by.get(r, 0) > 0 and r in polls:
                mine[r] = (by[r] - ge[r]) - change[r]
                over.setdefault(r, []).append(mine[r])
        by_seat[b.seat] = (seat_name_key(b.name), mine, role(b.winner))  # a later by-election in the seat replaces it
        order = sorted(ge, key=lambda r: -ge[r])
        if "con" not in order[:2]:
            continue
        anti = [r for r in ANTI_CON if ge.get(r, 0) > 0]
        if not anti:
            continue
        rec = max(anti, key=lambda r: ge[r])
        donors = [r for r in anti if r != rec]
        expected = sum(max(ge[r] + change[r], 0.0) for r in donors)
        if expected <= 0.01:
            continue
        sq.append(float(np.clip(1 - sum(by.get(r, 0.0) for r in donors) / expected, 0.0, 1.0)))
    return ParliamentEvidence(
        previous=previous.id, as_of=as_of, n=len(seats), squeeze=float(np.mean(sq)) if sq else 0.0,
        n_squeeze=len(sq), over={r: float(np.mean(v)) for r, v in over.items()}, seats=tuple(seats),
        by_seat=by_seat)


def opening_election(elections: Sequence[Election], as_of: str) -> Election | None:
    """The last general election (not a notional result) held before ``as_of``: it opened the parliament."""
    cut = date.fromisoformat(as_of)
    known = [e for e in elections if e.kind == "general" and e.date and e.date < cut]
    return max(known, key=lambda e: e.date or date.min) if known else None


def final_polls_on(as_of: str) -> dict[str, float] | None:
    """Role shares (0-1) of the final polls of the general election held on ``as_of``, if bundled."""
    from seatcast.data.polls import ELECTION_DATES, poll_average

    election = next((e for e, d in ELECTION_DATES.items() if d == as_of), None)
    if election is None:
        return None
    return {r: v / 100 for r, v in role_shares(poll_average(election)).items()}


def evidence_for(elections: Sequence[Election], as_of: str) -> ParliamentEvidence | None:
    """The by-election statistics of the parliament before ``as_of`` (``None`` without its opening election)."""
    opening = opening_election(elections, as_of)
    if opening is None:
        return None
    return measure(opening, as_of, final=final_polls_on(as_of), final_date=as_of)
