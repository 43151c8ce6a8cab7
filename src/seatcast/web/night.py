"""The election-night view's API: a past night replayed in its real order, or a live results file.

Two sources of declarations, one answer shape (:func:`state_record`):

* **replay** (``GET /api/night/replay/{election}?declared=N``): the state after the first *N*
  seats of the real declaration order (:func:`seatcast.data.declarations.declaration_order`),
  projected by the night model from the replay's honest prior (final polls and nominations only,
  :func:`seatcast.night.prior.replay_prior`) with a fixed seed. Why stateless: the page asks for
  whatever *N* its clock has reached, so any speed (one minute of the night per second, ten, or
  "as fast as possible") is the same endpoint asked more or less often, several seats per step
  when the projection is slower than the clock; two viewers never share or leak a session, and a
  reload resumes anywhere. The answer depends only on the request, so it is cached.
* **live** (``GET /api/night/live``): the results file named when the server started
  (``seatcast serve --night-results FILE``; the CSV or JSON lines the ``night`` command reads),
  or a feed on standard input (``--night-results -``, kept as a bounded :class:`FeedBuffer`).
  No request names a path. The file is re-read when its size or modification time changes
  (bounded by :data:`MAX_RESULTS_BYTES`); rows the stream reader rejects become notes.

Costs (2024, measured on the shared 2-core box under load; docs/election-night-view.md has the
table): the replay prior fits the covariate model, about 17 s once per election and process; each
state then fits the night model and simulates the open seats, 1.2-2.4 s at :data:`NIGHT_SIMS`
simulations. So the page batches: it never queues requests, and asks for the latest *N* once the
previous answer has arrived.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from seatcast.data import parties as party_info
from seatcast.data.declarations import DECLARATION_ELECTIONS, declarations
from seatcast.data.hexmaps import boundaries_for
from seatcast.data.schema import Election
from seatcast.errors import DataError, InputError, SeatcastError, UnknownNameError, check_seed
from seatcast.night.model import NightPrior, NightProjection, NightSettings
from seatcast.night.stream import Declaration, NightSession, ResultRow
from seatcast.web.schemas import ErrorOut, Key

if TYPE_CHECKING:
    from fastapi import APIRouter

    from seatcast.data.store import Store

#: Simulations per night state unless the request asks (the 5-95% range to a seat or two, at a
#: quarter of the cost of 2000).
NIGHT_SIMS = 500
#: Most simulations a night state may ask for (below the app's own cap when that is lower).
NIGHT_MAX_SIMS = 5000
#: Latest declarations listed with their swing.
LATEST = 12
#: Most undeclared seats a request may ask for as likely to change hands.
MAX_TOP = 50
#: Night states kept in memory (keyed by the request).
STATE_CACHE = 256
#: A live results file larger than this is refused (650 seats of candidates are well under 1 MB).
MAX_RESULTS_BYTES = 20_000_000
#: Notes (bad rows, unknown seats) a live answer carries at most.
MAX_NOTES = 20
#: Seats for a majority of the House of Commons.
MAJORITY = 326
#: Night states computed at once; more requests wait their turn. Why: a state is a second or two of
#: numpy, and a handful of viewers asking for different *N* must not starve the dashboard's sliders.
MAX_CONCURRENT_STATES = 2


class NoLiveFile(SeatcastError):
    """The live endpoint was asked for on a server started without a results file (a 404)."""


def _bound(name: str, value: int, lo: int, hi: int) -> int:
    if not lo <= value <= hi:
        raise InputError(f"{name} must be between {lo} and {hi}, not {value}")
    return value


@dataclass(frozen=True, eq=False)
class ReplayNight:
    """What is fixed for a replay: the target and base elections, the prior and the real order."""

    target: Election
    base: Election
    prior: NightPrior
    settings: NightSettings  # with the values learned on earlier nights (the interval factor)
    order: tuple[str, ...]  # base seat ids (same boundaries as the target) in declaration order
    times: tuple[datetime, ...]
    notes: tuple[str, ...]


@dataclass
class FeedBuffer:
    """The lines of a results feed (standard input), read by a background thread; bounded in size.

    Why a buffer rather than a session: every live answer is recomputed from all the lines so far,
    as for a file, so the server holds nothing but the text (at most :data:`MAX_RESULTS_BYTES`;
    later lines are dropped and a note says so).
    """

    lines: list[str] = field(default_factory=list)
    size: int = 0
    version: int = 0
    overflow: bool = False
    error: str = ""  # why reading stopped before the stream ended, if it did
    reader: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, line: str) -> None:
        """Keep one line (its newline removed), unless the buffer is full."""
        with self.lock:
            if self.size + len(line) > MAX_RESULTS_BYTES:
                self.overflow = True
                return
            self.lines.append(line.rstrip("\r\n"))
            self.size += len(line)
            self.version += 1

    def snapshot(self) -> tuple[int, list[str], bool, str]:
        """The version, a copy of the lines, whether lines were dropped, and why reading stopped."""
        with self.lock:
            return self.version, list(self.lines), self.overflow, self.error


def read_feed(stream: IO[str], feed: FeedBuffer) -> threading.Thread:
    """Read ``stream`` into ``feed`` line by line in a daemon thread (it ends with the stream)."""

    def run() -> None:
        try:
            for line in stream:
                feed.add(line)
        except (OSError, ValueError) as exc:  # a closed or undecodable stream ends the feed, with a note
            with feed.lock:
                feed.error = f"the feed stopped: {exc}"
                feed.version += 1

    thread = threading.Thread(target=run, name="seatcast-night-feed", daemon=True)
    feed.reader = thread
    thread.start()
    return thread


@dataclass
class LiveNight:
    """A results file (or a feed on standard input) followed live, with the base and prior it updates."""

    path: Path | None
    base: Election
    prior: NightPrior
    feed: FeedBuffer | None = None
    seen: tuple[int, int] = (-1, -1)
    answers: dict[tuple[int, int, int], dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class NightBoard:
    """The state behind the night endpoints: replay setups, the live file and the answer cache."""

    def __init__(self, store: Store, *, max_sims: int, live: LiveNight | None = None) -> None:
        self.store = store
        self.max_sims = max(1, min(max_sims, NIGHT_MAX_SIMS))
        self.live = live
        self._replays: dict[str, ReplayNight] = {}
        self._locks: dict[str, threading.Lock] = {key: threading.Lock() for key in DECLARATION_ELECTIONS}
        self._answers: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT_STATES)

    # ---- replays --------------------------------------------------------------------------
    def replays(self) -> list[dict[str, Any]]:
        """The elections a night can be replayed for: bundled declaration times and a stored base."""
        from seatcast.night.replay import base_of

        stored = {i.id: i for i in self.store.elections()}
        out = []
        for key in DECLARATION_ELECTIONS:
            try:
                base = base_of(key)
            except UnknownNameError:
                continue
            if key in stored and base in stored:
                info = stored[key]
                out.append({"election": key, "name": info.name, "date": info.date, "base": base,
                            "seats": info.seats, "hexmap": boundaries_for(info.boundaries)})
        return out

    def replay_night(self, election: str) -> ReplayNight:
        """The replay of ``election`` (built once: the prior's covariate fit takes seconds)."""
        from seatcast.night.replay import base_of

        key = election.strip().lower()
        if key not in DECLARATION_ELECTIONS:
            raise UnknownNameError("election with declaration times", election, DECLARATION_ELECTIONS)
        got = self._replays.get(key)
        if got is not None:
            return got
        with self._locks[key]:
            got = self._replays.get(key)
            if got is not None:
                return got
            target = self.store.load(key)
            base = self.store.load(base_of(key))
            prior, settings, learned_notes = replay_inputs(target, base, self.store)
            decls = [d for d in declarations(key) if base.has_seat(d.ons_id)]
            missing = len(prior.seat_ids) - len(decls)
            notes = [f"real declaration order of {key} (times bundled; ties within a minute by ONS id)",
                     f"prior: {prior.source}", *learned_notes]
            if missing:
                notes.append(f"{missing} seats have no declaration time and are never declared in this replay")
            made = ReplayNight(target=target, base=base, prior=prior, settings=settings,
                               order=tuple(d.ons_id for d in decls), times=tuple(d.declared_at for d in decls),
                               notes=tuple(notes))
            self._replays[key] = made
            return made

    def timeline(self, election: str) -> dict[str, Any]:
        """The real order of a replay: seat ids with minutes after the first declaration, and the exit poll."""
        night = self.replay_night(election)
        start = night.times[0] if night.times else None
        return {
            "election": night.target.id, "base": night.base.id, "name": night.target.name,
            "hexmap": boundaries_for(night.target.boundaries), "seats": night.prior.n_seats,
            "majority": MAJORITY, "first_declared_at": start.isoformat() if start else None,
            "order": list(night.order),
            "minutes": [round((t - start).total_seconds() / 60, 2) if start else 0.0 for t in night.times],
            "notes": list(night.notes), "exit_poll": _exit_poll(night.target.id),
        }

    def replay_state(self, election: str, declared: int, *, sims: int, seed: int, top: int) -> dict[str, Any]:
        """The night after the first ``declared`` seats of ``election``'s real order (cached)."""
        self._check(sims=sims, seed=seed, top=top)
        night = self.replay_night(election)
        _bound("declared", declared, 0, len(night.order))
        key = ("replay", night.target.id, declared, sims, seed, top)
        hit = self._cached(key)
        if hit is not None:
            return hit
        with self._slots:
            hit = self._cached(key)  # a viewer ahead in the queue may have asked the same
            if hit is not None:
                return hit
            out = self._replay_state(night, declared, sims=sims, seed=seed, top=top)
        self._put(key, out)
        return out

    def _replay_state(self, night: ReplayNight, declared: int, *, sims: int, seed: int, top: int) -> dict[str, Any]:
        session = NightSession(night.prior, night.base, settings=replace(night.settings, n_sims=sims), seed=seed)
        applied = list(night.order[:declared])
        for sid in applied:
            session.apply(_declaration(night.target, sid))
        last = night.target.seat(applied[-1]).name if applied else None
        proj = session.project(last_seat=last)
        times = {night.order[i]: night.times[i].strftime("%H:%M") for i in range(max(0, declared - LATEST), declared)}
        out = state_record(session, proj, applied, top=top, times=times)
        out.update({"mode": "replay", "election": night.target.id, "base": night.base.id,
                    "order_length": len(night.order), "sims": sims, "seed": seed, "notes": list(night.notes),
                    "declared_at": night.times[declared - 1].isoformat() if declared else None})
        return out

    # ---- live -----------------------------------------------------------------------------
    def live_state(self, *, sims: int, seed: int, top: int) -> dict[str, Any]:
        """The night so far in the live results file (re-read when it changes)."""
        self._check(sims=sims, seed=seed, top=top)
        live = self.live
        if live is None:
            raise NoLiveFile("this server follows no live results file (start it with --night-results FILE)")
        if live.feed is not None:
            stamp = (live.feed.version, 0)
        else:
            assert live.path is not None
            try:
                st = os.stat(live.path)
            except OSError as exc:
                raise InputError(f"{live.path}: cannot read the live results file ({exc.strerror})") from None
            if st.st_size > MAX_RESULTS_BYTES:
                raise InputError(f"{live.path}: over {MAX_RESULTS_BYTES} bytes; not a results file")
            stamp = (st.st_size, st.st_mtime_ns)
        with live.lock:
            if stamp != live.seen:
                live.answers.clear()
                live.seen = stamp
            hit = live.answers.get((sims, seed, top))
            if hit is not None:
                return hit
            with self._slots:
                out = self._read_live(live, sims=sims, seed=seed, top=top)
            if len(live.answers) >= 16:
                live.answers.clear()
            live.answers[(sims, seed, top)] = out
            return out

    def _read_live(self, live: LiveNight, *, sims: int, seed: int, top: int) -> dict[str, Any]:
        from seatcast.night.stream import declarations as group
        from seatcast.night.stream import read_rows

        notes: list[str] = []

        def warn(exc: SeatcastError) -> None:
            if len(notes) < MAX_NOTES:
                notes.append(str(exc))

        if live.feed is not None:
            _, lines, overflow, error = live.feed.snapshot()
            label = "<stdin>"
            if overflow:
                warn(InputError(f"{label}: over {MAX_RESULTS_BYTES} bytes; later lines were dropped"))
            if error:
                warn(InputError(f"{label}: {error}"))
        else:
            assert live.path is not None
            label = str(live.path)
            try:
                text = live.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{live.path}: cannot read the live results file ({exc})") from None
            lines = text.splitlines()
            if lines and not text.endswith("\n"):
                lines.pop()  # a line still being written: read it next time, whole
        session = NightSession(live.prior, live.base, settings=replace(live_settings(), n_sims=sims), seed=seed)
        applied: list[str] = []
        for decl in group(read_rows(lines, file=label, on_error=warn)):
            try:
                kind = session.apply(decl)
            except SeatcastError as exc:
                warn(exc)
                continue
            if kind != "duplicate":
                sid = (live.base.seat(decl.seat_key) if live.base.has_seat(decl.seat_key) or not decl.seat_name
                       else live.base.seat(decl.seat_name)).id
                if sid in applied:
                    applied.remove(sid)
                applied.append(sid)
        last = live.base.seat(applied[-1]).name if applied else None
        proj = session.project(last_seat=last)
        out = state_record(session, proj, applied, top=top, times={})
        out.update({"mode": "live", "election": None, "base": live.base.id, "order_length": live.prior.n_seats,
                    "sims": sims, "seed": seed, "notes": [f"prior: {live.prior.source}", *notes],
                    "declared_at": None})
        return out

    # ---- shared ---------------------------------------------------------------------------
    def _check(self, *, sims: int, seed: int, top: int) -> None:
        _bound("sims", sims, 1, self.max_sims)
        check_seed(seed)
        _bound("top", top, 0, MAX_TOP)

    def _cached(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            got = self._answers.get(key)
            if got is not None:
                self._answers.move_to_end(key)
            return got

    def _put(self, key: tuple[Any, ...], value: dict[str, Any]) -> None:
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > STATE_CACHE:
                self._answers.popitem(last=False)


def replay_inputs(target: Election, base: Election, store: Store) -> tuple[NightPrior, NightSettings,
                                                                           tuple[str, ...]]:
    """A replay's prior, its learned settings and their notes, as ``night --replay`` gets them.

    The one place this module reaches the night engine's learned values: the honest prior
    (final polls and nominations, :func:`seatcast.night.prior.replay_prior`, with the own-standing
    groups) and the interval and trust factors, all learned on earlier nights only (rolling origin,
    :func:`seatcast.fit.night_tables.night_fitted`).
    """
    from seatcast.fit.night_tables import night_fitted
    from seatcast.night.prior import replay_prior

    fitted = night_fitted(target.date, "polls")
    prior = replay_prior(target, base, store=store, own_groups=fitted.own_groups)
    return prior, NightSettings(interval_scale=fitted.interval_scale, trust=fitted.trust), tuple(fitted.notes)


def live_settings() -> NightSettings:
    """The settings of a live night: the values learned on every bundled night."""
    from seatcast.fit.night_tables import night_fitted

    fitted = night_fitted(None, "polls")
    return NightSettings(interval_scale=fitted.interval_scale, trust=fitted.trust)


def _exit_poll(election: str) -> dict[str, int] | None:
    """The broadcasters' 10 pm seat totals (public before any result, so fair to show), if bundled."""
    from seatcast.data.exit_polls import exit_poll, exit_poll_elections

    return exit_poll(election) if election in exit_poll_elections() else None


def _declaration(target: Election, seat_id: str) -> Declaration:
    """A seat's real result as the stream would deliver it (one row per candidate)."""
    c = target.seat(seat_id)
    rows = tuple(ResultRow(district_id=c.id, district_name=c.name, region=c.region or "", party_code=k.party_code,
                           candidate=k.name or f"candidate {j + 1}",
                           votes=k.votes if k.votes is not None else round(k.share * 100_000), line=j + 1)
                 for j, k in enumerate(c.candidacies))
    return Declaration(c.id, c.name, rows)


def swing_of(base: np.ndarray[Any, Any], now: np.ndarray[Any, Any], parties: tuple[str, ...],
             winner: str) -> dict[str, Any] | None:
    """The two-party (Butler) swing between this result's top two parties since the base.

    ``points`` is half of one party's change in share minus half of the other's, in percentage
    points, always given as a swing ``from`` one ``to`` the other (never negative). Why these two:
    they are the contest the seat was decided by tonight, whatever it was at the base.
    """
    ranked = [int(j) for j in np.argsort(-now, kind="stable") if parties[int(j)] != "oth" and now[int(j)] > 0]
    if len(ranked) < 2:
        return None
    first, second = ranked[0], ranked[1]
    to = parties[first] if parties[first] == winner or winner not in parties else winner
    a = parties.index(to)
    b = second if a == first else first
    points = 50 * ((now[a] - base[a]) - (now[b] - base[b]))
    if points < 0:  # told the way it went: from the party that lost ground to the one that gained
        return {"to": parties[b], "from": to, "points": round(float(-points), 1)}
    return {"to": to, "from": parties[b], "points": round(float(points), 1)}


def state_record(session: NightSession, proj: NightProjection, applied: list[str], *, top: int,
                 times: dict[str, str]) -> dict[str, Any]:
    """One night state as JSON: totals with 90% intervals, every seat's colour, the latest results.

    ``seats`` holds arrays over the prior's seats: ``ids``, ``winner`` (the actual winner of a
    declared seat, the likeliest of an undeclared one), ``declared`` (0/1) and ``p`` (the
    projected winner's probability; 1 once declared). ``applied`` lists the declared seat ids in
    the order they declared (the last is the newest).
    """
    prior = session.prior
    parties = prior.parties
    row = {sid: i for i, sid in enumerate(prior.seat_ids)}
    winners: list[str] = []
    prob: list[float] = []
    for i in range(prior.n_seats):
        w = session.winners[i]
        if session.declared[i] and w is not None:
            winners.append(w)
            prob.append(1.0)
        else:
            j = int(np.argmax(proj.p_win[i]))
            winners.append(parties[j])
            prob.append(round(float(proj.p_win[i, j]), 3))
    latest = []
    for sid in reversed(applied[-LATEST:]):
        i = row[sid]
        w = session.winners[i] or parties[int(np.argmax(session.actual[i]))]
        held_by = prior.base_winners[i]
        latest.append({"id": sid, "name": prior.names[i], "winner": w, "from": held_by,
                       "gain": w != held_by, "time": times.get(sid),
                       "swing": swing_of(prior.base[i], session.actual[i], parties, w)})
    return {
        "declared": proj.declared, "seats_total": prior.n_seats, "majority": MAJORITY,
        "last_seat": proj.last_seat, "seats_projected": proj.seats_projected,
        "seats_interval": {p: [int(lo), int(hi)] for p, (lo, hi) in proj.seats_interval.items()},
        "seats_won": _won(session), "parties": {p: {"name": party_info.name(p), "colour": party_info.colour(p)}
                                                for p in {*proj.seats_projected, *winners}},
        "seats": {"ids": list(prior.seat_ids), "winner": winners,
                  "declared": [int(x) for x in session.declared], "p": prob},
        "latest": latest, "likely_changes": proj.likely_changes(prior, top),
    }


def _won(session: NightSession) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i in np.flatnonzero(session.declared):
        w = session.winners[int(i)]
        if w is not None:
            counts[w] = counts.get(w, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def live_night(store: Store, path: str | Path, base: str | None, prior_json: str | Path | None = None,
               *, stream: IO[str] | None = None) -> LiveNight:
    """A :class:`LiveNight` over ``path``: the prior from a forecast JSON, else no change from the base.

    ``base`` defaults to the latest stored general election. Errors name the file; a results
    file that does not exist yet is fine (it is read when it appears). ``path`` ``-`` is a feed:
    the lines of ``stream`` (standard input by default), read as they come.
    """
    from seatcast.night.prior import prior_from_projection, read_forecast_prior
    from seatcast.projection import project

    if base is None:
        generals = [i.id for i in store.elections() if i.kind == "general"]
        if not generals:
            raise InputError("--night-results: no general election in the store to start from (give --night-base)")
        base = generals[-1]
    base_el = store.load(base)
    if prior_json is not None:
        prior, _ = read_forecast_prior(prior_json, base_el, option="--night-prior", other_base="--night-base")
    else:
        prior = prior_from_projection(project(base_el, model="transition"), base_el,
                                      source=f"no change from {base_el.id} (no --night-prior given)")
    if str(path) == "-":
        feed = FeedBuffer()
        read_feed(stream if stream is not None else sys.stdin, feed)
        return LiveNight(path=None, base=base_el, prior=prior, feed=feed)
    results = Path(path)
    if results.exists() and not results.is_file():
        raise DataError("not a file", file=str(results))
    return LiveNight(path=results, base=base_el, prior=prior)


def night_router(board: NightBoard) -> APIRouter:
    """The night endpoints, for :func:`seatcast.web.app.create_app` to include."""
    from fastapi import APIRouter, HTTPException, Query
    from fastapi.responses import FileResponse


    router = APIRouter()
    sims_q = Query(NIGHT_SIMS, ge=1, le=NIGHT_MAX_SIMS, description="Simulations per state.")
    seed_q = Query(0, ge=0, le=2**63 - 1, description="Seed: the same request gives the same state.")
    top_q = Query(10, ge=0, le=MAX_TOP, description="Undeclared seats listed as likely to change hands.")

    static = Path(str(resources.files("seatcast.web") / "static"))

    @router.get("/night", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(static / "night.html", media_type="text/html")

    @router.get("/api/night", tags=["night"])
    def night_meta() -> dict[str, Any]:
        """The replayable nights (real declaration order bundled) and whether a live file is followed."""
        live = board.live
        following = None if live is None else {
            "base": live.base.id, "hexmap": boundaries_for(live.base.boundaries), "seats": live.prior.n_seats,
            "prior": live.prior.source, "feed": live.feed is not None}
        return {"replays": board.replays(), "live": following, "default_sims": min(NIGHT_SIMS, board.max_sims),
                "max_sims": board.max_sims, "majority": MAJORITY}

    @router.get("/api/night/replay/{election}/timeline", tags=["night"])
    def timeline(election: Key) -> dict[str, Any]:
        """The real declaration order of a past night, with minutes after its first result."""
        return board.timeline(election)

    @router.get("/api/night/replay/{election}", tags=["night"])
    def replay_state(election: Key, declared: int = Query(..., ge=0, le=10_000,
                                                           description="Seats declared so far (real order)."),
                     sims: int = sims_q, seed: int = seed_q, top: int = top_q) -> dict[str, Any]:
        """The night after the first ``declared`` real declarations: totals, 90% intervals, map, latest."""
        return board.replay_state(election, declared, sims=sims, seed=seed, top=top)

    @router.get("/api/night/live", tags=["night"], responses={404: {"model": ErrorOut}})
    def live_state(sims: int = sims_q, seed: int = seed_q, top: int = top_q) -> dict[str, Any]:
        """The night so far in the results file the server follows (``serve --night-results``)."""
        try:
            return board.live_state(sims=sims, seed=seed, top=top)
        except NoLiveFile as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    return router

