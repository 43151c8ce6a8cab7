"""The FastAPI app behind ``seatcast serve``: a JSON API over the store, projections and forecasts.

Everything the page shows comes from these endpoints, so the page stays a thin view and the
numbers are the ones the CLI and the Python API give. These choices keep the swingometer fast
(a slider move must redraw the map in well under 200 ms):

* each base election's :class:`~seatcast.data.frame.ShareFrame` and GB baseline are built once
  and kept; :func:`seatcast.projection.prepare` then takes well under a millisecond;
* the projection is sent as arrays (party columns, one winner and one share row per seat)
  rather than one dict per seat, and the last few hundred answers are kept, keyed by the
  request, since a slider dragged back and forth asks the same questions again;
* with numba installed, a fitted model already bound to the request's seats is projected by
  its compiled point path (``ProjectionSetup.run(compiled=True)``, about a millisecond in all)
  on the event loop itself (:meth:`Dashboard.quick_json`): handing each request to a thread
  would cost as much again. ``seatcast serve --workers N`` adds processes (each its own GIL).

The default model is ``auto``, as on the CLI and in the Python API (the covariate model on a
bundled UK base), so the page and ``POST /api/project`` give the numbers ``seatcast project``
gives. Its first projection loads the covariate model's fit from the store (fitted and saved
once, by ``seatcast models fit`` or by the first command that needed it; see
:mod:`seatcast.fit.registry`) and binds it to the base's seats; each base's bound kernel is then
cached and a projection takes milliseconds. The app does this while starting up
(:meth:`Dashboard.warm`), before it accepts a request, so no visitor waits behind it.

Safety: the only file the app opens is the store chosen when it is created (``db``); no
request names a path. Simulation counts are capped (``max_sims``, ``$SEATCAST_MAX_SIMS``);
bodies, hosts and content types are checked before any route runs (:mod:`.guards`), and
forecasts run in a few slots of their own, stopped when their client goes (:mod:`.workers`).
Every error is JSON ``{"detail": message}`` with a 4xx status (501 when an optional part of
seatcast is not installed).

A re-import (``seatcast import`` from another process) is noticed: every per-election value the
app keeps is stamped with :meth:`~seatcast.data.store.Store.generation` and rebuilt when the
stamp changes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seatcast.api import fit_source
from seatcast.data import parties as party_info
from seatcast.data.frame import ShareFrame
from seatcast.data.hexmaps import HEXMAPS, boundaries_for, load_hexmap
from seatcast.data.parties import IND, OTHER, SEPARATE_NATIONS, SPEAKER
from seatcast.data.schema import Constituency, Election
from seatcast.errors import DataError, InputError, ScenarioError, SeatcastError, UnknownNameError
from seatcast.projection import DEFAULT_MODEL
from seatcast.simulate.limits import max_sims
from seatcast.web import schemas as s
from seatcast.web.guards import Guard, default_max_body, host_names
from seatcast.web.schemas import Key
from seatcast.web.workers import DEFAULT_FORECAST_SECONDS, DEFAULT_MAX_FORECASTS, Busy, Stopped, Workers, env_positive

if TYPE_CHECKING:
    from fastapi import FastAPI

    from seatcast.data.store import Store
    from seatcast.projection import ProjectionSetup

#: Default cap on simulations per forecast request; ``$SEATCAST_MAX_SIMS`` overrides it.
DEFAULT_MAX_SIMS = 200_000
#: Projection answers kept in memory (keyed by the request body).
CACHE_SIZE = 512
#: Bases whose seat ids and names are kept encoded as JSON (each answer from a base repeats them).
CACHE_BASES = 16
#: A party gets a slider when its GB share at the base is at least this (percent).
SLIDER_MIN_SHARE = 1.0
#: Models whose projection takes a few milliseconds (others, fitted on past elections, take longer).
QUICK_MODELS = frozenset({"uns", "proportional", "transition"})
#: Seats for a majority of the House of Commons (650 seats).
MAJORITY = 326
#: Worker processes of one forecast (see :meth:`Dashboard.forecast`).
FORECAST_PROCESSES = 2
#: Simulations per task of a forecast (the simulator's block).
SIM_BLOCK = 1000


def default_max_sims() -> int:
    """The simulation cap: ``$SEATCAST_MAX_SIMS`` (read as the simulator reads it), else the server's default."""
    return max_sims(DEFAULT_MAX_SIMS)


@dataclass(frozen=True)
class _Base:
    """What is fixed per base election: the election, its frame and its GB baseline."""

    election: Election
    frame: ShareFrame
    baseline: dict[str, Any]


class _LRU:
    """A small thread-safe least-recently-used map from request keys to JSON-ready answers."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def forecast_accel() -> str:
    """The engine of the server's forecasts: ``$SEATCAST_ACCEL`` if set, else numba when installed.

    Why not numpy, as on the command line: the page's "Run forecast" must feel interactive, and
    only the compiled path runs the default model at the speed of a swing model. A seed still
    gives the same bytes for a given engine; the answer names the engine (``accel``).
    """
    import importlib.util

    chosen = os.environ.get("SEATCAST_ACCEL", "").strip().lower()
    if chosen:
        return chosen
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


class Dashboard:
    """The state behind the app: the store, per-base caches and the limits. No FastAPI here."""

    def __init__(self, store: Store, *, max_sims: int) -> None:
        self.store = store
        self.fits = fit_source(store)
        self.max_sims = max_sims
        self.accel = forecast_accel()
        self._bases: dict[str, tuple[str, _Base]] = {}  # by election id: (its store stamp, the base)
        self._lock = threading.Lock()
        self._answers = _LRU(CACHE_SIZE)
        self._encodings: dict[int, tuple[tuple[str, ...], bytes]] = {}  # see _encoded

    # ---- elections ----------------------------------------------------------------------
    def election(self, election_id: str) -> Election:
        """A stored election (the store caches it)."""
        key = election_id.strip()
        with self._lock:
            return self.store.load(key)

    def elections(self) -> list[dict[str, Any]]:
        """Every stored election with the hexmap it is drawn on."""
        with self._lock:
            infos = self.store.elections()
        return [
            {"id": i.id, "name": i.name, "date": i.date, "kind": i.kind, "boundaries": i.boundaries,
             "seats": i.seats, "hexmap": boundaries_for(i.boundaries)}
            for i in infos
        ]

    def base(self, election_id: str, stamp: str | None = None) -> _Base:
        """The cached frame and GB baseline of a base election (``stamp``: its store stamp, if just read)."""
        key = election_id.strip()
        stamp = self.store.generation(key) if stamp is None else stamp
        got = self._bases.get(key)
        if got is not None and got[0] == stamp:
            return got[1]
        el = self.election(key)
        frame = ShareFrame.from_election(el)
        gb = {n for n in el.nations if n not in SEPARATE_NATIONS}
        shares = el.vote_shares(nations=gb or None)
        won = el.seats_won()
        rows = [
            {"code": p, "name": party_info.name(p), "colour": party_info.colour(p),
             "share": round(100 * v, 2), "seats": won.get(p, 0)}
            for p, v in shares.items()
            if 100 * v >= SLIDER_MIN_SHARE and p not in (IND, OTHER, SPEAKER)
        ]
        baseline = {"election": el.id, "boundaries": el.boundaries, "hexmap": boundaries_for(el.boundaries),
                    "seats": len(el), "parties": rows, "seats_won": won}
        made = _Base(election=el, frame=frame, baseline=baseline)
        with self._lock:
            had = self._bases.get(key)
            if had is None or had[0] != stamp:
                self._bases[key] = (stamp, made)
            return self._bases[key][1]

    # ---- projections --------------------------------------------------------------------
    def setup(self, req: s.ProjectRequest, base: _Base | None = None, *, bind: bool = True) -> ProjectionSetup:
        """Prepare a projection from a request (the base's frame is reused).

        ``bind=False``: raise :class:`~seatcast.projection.NotBound` rather than bind a model (see
        :func:`~seatcast.projection.prepare`).
        """
        from seatcast.projection import prepare

        b = self.base(req.base) if base is None else base
        return prepare(b.election, req.shares, model=req.model, nations=req.nations, frame=b.frame,
                       store=self.store, fits=self.fits, bind=bind)

    def project(self, req: s.ProjectRequest) -> dict[str, Any]:
        """The point projection of a request, as :class:`~seatcast.web.schemas.ProjectOut` fields."""
        out = self._project(req)
        out["seat_ids"], out["names"] = list(out["seat_ids"]), list(out["names"])
        return out

    def _project(self, req: s.ProjectRequest, stamp: str | None = None, *, bind: bool = True) -> dict[str, Any]:
        """:meth:`project` with the frame's own ``seat_ids`` and ``names`` tuples (``stamp``: the base's, if read)."""
        b = self.base(req.base, stamp)
        setup = self.setup(req, b, bind=bind)
        # With numba (the forecasts' engine), the compiled point path: the numpy kernel's numbers.
        shares = np.asarray(setup.run(compiled=self.accel == "numba"), dtype=np.float64)
        records: list[dict[str, Any]] = []
        if req.steps:
            steps = build_steps(s.step_dicts(req.steps), setup)
            for step in steps:
                shares = np.asarray(step.apply(shares, None), dtype=np.float64)
                records.append(_step_record(step))
        parties = setup.parties
        masked = shares.copy()
        if OTHER in parties:  # pooled minor candidates never win (see data/frame.py)
            masked[:, parties.index(OTHER)] = -1.0
        won = masked.argmax(axis=1)
        counts = np.bincount(won, minlength=len(parties))
        order = sorted(np.flatnonzero(counts), key=lambda j: (-counts[j], parties[j]))
        f = setup.frame
        out = {
            "base": f.election_id,
            "model": setup.model.name,
            "boundaries": boundaries_for(b.election.boundaries),
            "parties": list(parties),
            "seats_predicted": {parties[j]: int(counts[j]) for j in order},
            "national_target": {p: round(float(v), 6) for p, v in zip(parties, setup.national_target, strict=True)
                                if v > 0},
            "notes": list(setup.notes),
            "steps": records,
            "seat_ids": f.seat_ids,  # the frame's tuples: project_json encodes them once per base
            "names": f.names,
            "winners": np.asarray(parties)[won].tolist(),
            "shares": np.round(shares, 4),  # an array: encode_json writes it without a list copy
        }
        return out

    def warm(self, base: str | None = None) -> None:
        """Project ``base`` (default: the page's default base) with the default model, as the page will.

        First unchanged (the page's first request, whose answer is then cached), then at the
        slider parties' base shares: a projection that names those parties binds the fitted
        model to the seats once, and every later slider move reuses it. So ``auto`` is fitted
        and bound here rather than while the first visitor waits. The error model that a
        forecast from that base needs is estimated here too (seconds of Python that would
        otherwise hold the GIL beside the first slider requests). Errors are left for the
        requests themselves to report.
        """
        try:
            key = base or self.default_base()
            if not key:  # an empty store: nothing to warm
                return
            self.project_json(s.ProjectRequest(base=key))
            shares = {p["code"]: p["share"] for p in self.base(key).baseline["parties"]}
            self.project_json(s.ProjectRequest(base=key, shares=shares))
            if features()["forecast"]:
                _optional("seatcast.simulate.engine", "default_error", "forecasts")(
                    self.setup(s.ProjectRequest(base=key, shares=shares)))
        except Exception as exc:  # a warm-up must never stop the server starting
            logging.getLogger(__name__).warning("seatcast: warm-up of %s skipped: %s", base or "the default base", exc)

    def default_base(self) -> str:
        """The latest stored general election (the page starts from it), else the latest election."""
        infos = self.elections()
        return next((i["id"] for i in reversed(infos) if i["kind"] == "general"), infos[-1]["id"] if infos else "")

    def is_quick(self, req: s.ProjectRequest) -> bool:
        """Whether a projection takes milliseconds: a plain swing model on a base already prepared."""
        return not req.steps and req.model.strip().lower() in QUICK_MODELS and req.base.strip() in self._bases

    def quick_json(self, req: s.ProjectRequest) -> bytes | None:
        """:meth:`project_json` when it takes about a millisecond, else None (the caller runs it in a thread).

        Quick: a plain swing model on a base already prepared (:meth:`is_quick`), or, with the
        compiled engine, any model already bound to the request's seats on a base whose data
        has not changed since it was prepared (a fitted model's slider move: the compiled point
        path). What is not, is left for a thread: the first look at a base, scenario steps,
        binding a model to seats that a growing party changed (a fifth of a second), the
        numpy kernel of a fitted model (milliseconds), a re-imported base (its fit may be redone).
        """
        from seatcast.projection import NotBound

        if self.is_quick(req):
            return self.project_json(req)
        key = req.base.strip()
        known = self._bases.get(key)
        if req.steps or self.accel != "numba" or known is None:
            return None
        stamp = self.store.generation(key)
        if known[0] != stamp:
            return None
        try:
            return self.project_json(req, bind=False, stamp=stamp)
        except NotBound:
            return None

    def project_json(self, req: s.ProjectRequest, *, bind: bool = True, stamp: str | None = None) -> bytes:
        """:meth:`project` encoded as compact JSON, kept for the last few hundred requests.

        Encoding 650 rows of shares costs as much as projecting them, so the cache holds the
        bytes: a slider dragged back to a position it has visited answers at once. Each answer
        is kept with the base's store stamp: after a re-import it is stale and made again.
        """
        key = req.model_dump_json()
        if stamp is None:
            stamp = self.store.generation(req.base.strip())
        hit = self._answers.get(key)
        if hit is not None and hit[0] == stamp:
            return bytes(hit[1])
        answer = self._project(req, stamp, bind=bind)
        seat_ids, names = answer.pop("seat_ids"), answer.pop("names")
        winners, shares = answer.pop("winners"), answer.pop("shares")
        # The seats' ids and names are the same in every answer from a base: encoded once (the
        # keys stay in ProjectOut's order, so the bytes are those of encode_json(project(req))).
        out = b"".join((encode_json(answer)[:-1], b',"seat_ids":', self._encoded(seat_ids), b',"names":',
                        self._encoded(names), b',"winners":', encode_json(winners), b',"shares":',
                        encode_json(shares), b"}"))
        self._answers.put(key, (stamp, out))
        return out

    def _encoded(self, strings: tuple[str, ...]) -> bytes:
        """A frame's seat ids (or names) as JSON, encoded once per frame (the tuple itself is the key)."""
        hit = self._encodings.get(id(strings))
        if hit is not None and hit[0] is strings:
            return hit[1]
        out = encode_json(list(strings))
        with self._lock:
            if len(self._encodings) >= 2 * CACHE_BASES:
                self._encodings.pop(next(iter(self._encodings)))
            self._encodings[id(strings)] = (strings, out)
        return out

    def check_forecast(self, req: s.ForecastRequest) -> None:
        """Refuse a forecast over the simulation cap before it takes a slot."""
        if req.sims > self.max_sims:
            raise InputError(f"sims={req.sims} is over this server's cap of {self.max_sims} "
                             "(start seatcast serve with --max-sims, or set SEATCAST_MAX_SIMS, to change it)")

    def forecast(self, req: s.ForecastRequest,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """A simulated forecast of a request: seat probabilities and seat-total intervals.

        ``progress(done, total)`` is called after every block of simulations; raising there
        stops the forecast (how the server cancels one whose client has gone).
        """
        self.check_forecast(req)
        simulate = _optional("seatcast.simulate", "simulate", "forecasts")
        setup = self.setup(req)
        steps = build_steps(s.step_dicts(req.steps), setup) if req.steps else []
        error = _optional("seatcast.simulate.engine", "default_error", "forecasts")(setup)
        if progress is not None:
            progress(0, req.sims)  # set up: the simulations start now
        # The compiled engine releases the GIL inside its loop, so it runs here, in this forecast's
        # thread (10,000 default-model simulations in under a second; no process to start). The
        # numpy engine holds the GIL: beyond one block its blocks run in worker processes, one
        # block per task, so this server's process (the slider's) keeps its GIL, and a stop takes
        # effect after the running blocks. Blocks are independent and tallies integers: the result
        # is the same bit for bit however they are spread.
        workers = 1 if self.accel == "numba" or req.sims <= SIM_BLOCK else FORECAST_PROCESSES
        result = simulate(setup, n_sims=req.sims, seed=req.seed, steps=steps, error=error, progress=progress,
                          workers=workers, chunk_size=SIM_BLOCK, accel=self.accel)
        out: dict[str, Any] = dict(result.to_dict())
        out.update({"base": setup.frame.election_id, "model": setup.model.name, "accel": self.accel,
                    "boundaries": boundaries_for(self.base(req.base).election.boundaries),
                    "steps": [_step_record(st) for st in steps]})
        return out

    # ---- seats --------------------------------------------------------------------------
    def result(self, election_id: str, seat: str) -> dict[str, Any]:
        """One seat's result, as ``seatcast results --format json`` gives it."""
        el = self.election(election_id)
        return {"election": el.id, **el.seat(seat).to_dict()}

    def history(self, base: str, seat: str) -> dict[str, Any]:
        """A seat's results at every stored election: by id on its own boundaries, by name elsewhere."""
        el = self.election(base)
        c = el.seat(seat)
        want = _plain(c.name)
        out = []
        for info in self.elections():
            other = self.election(info["id"])
            same = other.boundaries == el.boundaries
            k: Constituency | None = other.seat(c.id) if same and other.has_seat(c.id) else None
            if k is None:
                k = next((x for x in other.constituencies if _plain(x.name) == want), None)
            if k is None:
                continue
            shares: dict[str, float] = {}
            for cand in k.candidacies:
                shares[cand.party_code] = round(shares.get(cand.party_code, 0.0) + cand.share, 6)
            out.append({"election": other.id, "date": other.date.isoformat() if other.date else None,
                        "kind": other.kind,
                        "same_boundaries": same and k.id == c.id, "id": k.id, "name": k.name,
                        "winner": k.winner.party_code, "shares": shares})
        return {"base": el.id, "id": c.id, "name": c.name, "history": out}

    def split(self, election_id: str, seat: str) -> dict[str, Any]:
        """The split-vote analysis of a seat (who would have won without each candidate)."""
        split_seat = _optional("seatcast.scenarios.split", "split_seat", "the split-vote analysis")
        el = self.election(election_id)
        c = el.seat(seat)  # a clear 404 before the analysis runs
        return dict(split_seat(el, c.id).to_dict())


def encode_json(data: Any) -> bytes:
    """Compact JSON bytes, by orjson where installed, else by the standard library.

    orjson comes with the ``web`` extra: it encodes 650 rows of shares ten times faster.
    """
    try:
        import orjson
    except ModuleNotFoundError:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                          default=_plain_json).encode()
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY, default=_plain_json)


def _plain_json(value: Any) -> Any:
    """Turn numpy values into plain JSON values (for the standard library's encoder)."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def build_steps(step_dicts: list[dict[str, Any]], setup: ProjectionSetup) -> list[Any]:
    """Scenario steps from their JSON form (:func:`seatcast.scenarios.build_steps`)."""
    try:
        build = _optional("seatcast.scenarios", "build_steps", "scenario steps")
    except NotInstalled:
        build = _optional("seatcast.scenarios.steps", "build_steps", "scenario steps")
    return list(build(step_dicts, setup, source="request"))


def features() -> dict[str, bool]:
    """Which optional endpoints this install can answer (the page hides the others)."""
    found = {}
    for key, (module, name) in {"forecast": ("seatcast.simulate", "simulate"),
                                "split": ("seatcast.scenarios.split", "split_seat"),
                                "steps": ("seatcast.scenarios.steps", "build_steps")}.items():
        try:
            _optional(module, name, key)
            found[key] = True
        except NotInstalled:
            found[key] = False
    return found


class NotInstalled(SeatcastError):
    """An optional part of seatcast that this install lacks: the endpoint answers 501."""


def _optional(module: str, name: str, what: str) -> Callable[..., Any]:
    import importlib

    try:
        mod = importlib.import_module(module)
        fn = getattr(mod, name)
    except (ImportError, AttributeError):
        raise NotInstalled(f"{what}: not available, this install of seatcast lacks {module}.{name}") from None
    return fn  # type: ignore[no-any-return]


def _step_record(step: Any) -> dict[str, Any]:
    to_dict = getattr(step, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    return {"kind": type(step).__name__}


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def _static_dir() -> Path:
    return Path(str(resources.files("seatcast.web") / "static"))


def model_menu(models: Mapping[str, str]) -> dict[str, str]:
    """The models a request may name, ``auto`` (the default) first: what ``/api/meta`` lists."""
    return {DEFAULT_MODEL: "covariate on bundled UK bases, transition on imported ones (default)",
            **{m: d for m, d in models.items() if m != DEFAULT_MODEL}}


def create_app(db: str | Path | None = None, max_sims: int | None = None, *, warm: bool = True,
               host: str | None = None, allowed_hosts: Iterable[str] = (), max_body: int | None = None,
               max_forecasts: int | None = None, forecast_seconds: float | None = None) -> FastAPI:
    """Build the app over the store at ``db`` (default ``$SEATCAST_DB`` or the per-user store).

    ``max_sims`` caps simulations per forecast request (default ``$SEATCAST_MAX_SIMS`` or
    200 000). With ``warm``, starting the app (its lifespan) loads the default model's stored fit
    and binds it (:meth:`Dashboard.warm`) before the first request is accepted.
    ``host`` (the address served on, ``$SEATCAST_HOST``) and ``allowed_hosts`` (``$SEATCAST_ALLOWED_HOSTS``,
    comma-separated) are the ``Host`` names accepted besides loopback; ``max_body`` (bytes,
    ``$SEATCAST_MAX_BODY``, 256 KB), ``max_forecasts`` (at once in this process,
    ``$SEATCAST_MAX_FORECASTS``, 2) and ``forecast_seconds`` (each, ``$SEATCAST_FORECAST_SECONDS``, 60)
    are the other limits (:mod:`.guards`, :mod:`.workers`). Every option has its environment
    variable because ``seatcast serve --workers N`` starts N processes that each call this
    factory with no arguments (uvicorn imports it by name).
    """
    from contextlib import asynccontextmanager

    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles
    from starlette.concurrency import run_in_threadpool

    from seatcast.api import open_store
    from seatcast.models import MODELS

    cap = default_max_sims() if max_sims is None else int(max_sims)
    if cap < 1:
        raise InputError(f"max_sims must be at least 1, not {cap}")
    body_cap = default_max_body() if max_body is None else int(max_body)
    if body_cap < 1:
        raise InputError(f"max_body must be at least 1 byte, not {body_cap}")
    workers = Workers(
        int(env_positive("SEATCAST_MAX_FORECASTS", DEFAULT_MAX_FORECASTS)) if max_forecasts is None
        else int(max_forecasts),
        env_positive("SEATCAST_FORECAST_SECONDS", DEFAULT_FORECAST_SECONDS, integer=False)
        if forecast_seconds is None else float(forecast_seconds))
    dash = Dashboard(open_store(db), max_sims=cap)
    if host is None:
        host = os.environ.get("SEATCAST_HOST", "").strip() or None
    if not allowed_hosts:
        allowed_hosts = [h.strip() for h in os.environ.get("SEATCAST_ALLOWED_HOSTS", "").split(",") if h.strip()]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:  # off the event loop, but before the server listens
            await run_in_threadpool(dash.warm)
        yield
        workers.close()

    app = FastAPI(
        lifespan=lifespan,
        title="seatcast",
        summary="First-past-the-post projections, forecasts and scenarios.",
        version="1",
        responses={status: {"model": s.ErrorOut} for status in (400, 404, 413, 415, 422)},
    )
    app.state.dashboard = dash
    app.state.workers = workers
    app.add_middleware(Guard, hosts=host_names(host, allowed_hosts), max_body=body_cap)

    def error(status: int, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=status, content={"detail": str(exc)})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
        return JSONResponse(status_code=422, content={"detail": "; ".join(parts) or "invalid request"})

    @app.exception_handler(UnknownNameError)
    async def _unknown(request: Request, exc: UnknownNameError) -> JSONResponse:
        # A name in the URL that does not exist is a 404; one in a request body is a bad body.
        return error(422 if request.method == "POST" else 404, exc)

    @app.exception_handler(NotInstalled)
    async def _missing(request: Request, exc: NotInstalled) -> JSONResponse:
        return error(501, exc)

    @app.exception_handler(Busy)
    async def _busy(request: Request, exc: Busy) -> JSONResponse:
        return JSONResponse(status_code=429, content={"detail": str(exc)},
                            headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(Stopped)
    async def _stopped(request: Request, exc: Stopped) -> JSONResponse:
        return error(422, exc)

    @app.exception_handler(SeatcastError)
    async def _seatcast(request: Request, exc: SeatcastError) -> JSONResponse:
        status = 422 if isinstance(exc, InputError | ScenarioError | DataError) else 400
        return error(status, exc)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(_static_dir() / "index.html", media_type="text/html")

    @app.get("/api/meta", response_model=s.MetaOut, tags=["page"])
    def meta() -> dict[str, Any]:
        """Models, party names and colours, the simulation cap and the default base election."""
        codes = dict.fromkeys([*party_info.COLOURS, *party_info.NAMES])
        return {
            "models": model_menu({m.name: m.description for m in MODELS.values()}),
            "default_model": DEFAULT_MODEL,
            "parties": [{"code": p, "name": party_info.name(p), "colour": party_info.colour(p)} for p in codes],
            "default_base": dash.default_base(), "max_sims": dash.max_sims, "majority": MAJORITY,
            "features": features(),
        }

    @app.get("/api/elections", response_model=s.ElectionsOut, tags=["data"])
    def elections() -> dict[str, Any]:
        """Every election in the store."""
        return {"elections": dash.elections()}

    @app.get("/api/baseline/{election}", response_model=s.BaselineOut, tags=["page"])
    def baseline(election: Key) -> dict[str, Any]:
        """GB shares (percent) and seats of each sizeable party at an election: the sliders' start."""
        return dict(dash.base(election).baseline)

    @app.get("/api/results/{election}/{seat}", response_model=s.ResultOut, tags=["data"])
    def results(election: Key, seat: Key) -> dict[str, Any]:
        """One seat's result (seat by name or ONS id, case-insensitive)."""
        return dash.result(election, seat)

    @app.get("/api/seat/{base}/{seat}/history", response_model=s.HistoryOut, tags=["data"])
    def history(base: Key, seat: Key) -> dict[str, Any]:
        """A seat's results at every stored election (same-named seats on other boundaries flagged)."""
        return dash.history(base, seat)

    @app.get("/api/hexmap/{boundaries}", response_model=s.HexmapOut, tags=["page"])
    def hexmap(boundaries: Key) -> dict[str, Any]:
        """The hex cartogram of a boundary set (``2010`` or ``2024``)."""
        if boundaries not in HEXMAPS:
            raise UnknownNameError("hexmap boundaries", boundaries, HEXMAPS)
        return load_hexmap(boundaries)

    async def project(request: Request) -> Response:
        """Point projection: seat totals and every seat's winner and shares."""
        # The body is parsed and validated in one step by pydantic's own JSON parser: the
        # slider's hot path skips FastAPI's dict round trip (a third of a request's cost).
        req = await parse_body(request, s.ProjectRequest)
        # About a millisecond (a swing model, or a bound model by the compiled point path): run on
        # the event loop, first come first served, rather than in the thread pool, where threads
        # would fight over the GIL under load (and each hand-over costs as much as the projection).
        body = dash.quick_json(req)
        if body is None:  # binding a model, scenario steps or a first look at a base: to the projection pool
            body = await workers.project(lambda: dash.project_json(req), steps=bool(req.steps))
        return Response(body, media_type="application/json")

    # Registered by hand: the body is read raw (see above), so the schema is given explicitly,
    # and the annotations are real classes (this module's are strings, FastAPI's are local).
    project.__annotations__.update(request=Request, return_=Response)
    app.add_api_route(
        "/api/project", project, methods=["POST"], response_model=s.ProjectOut, tags=["projection"],
        openapi_extra=body_doc(s.ProjectRequest),
    )

    async def forecast(request: Request) -> Response:
        """Simulated forecast: win probabilities per seat, seat-total intervals, P(majority).

        At most ``max_forecasts`` run at once (another gets a 429 with ``Retry-After``); one
        whose client goes away, or that runs out of time, stops at its next block of simulations.
        """
        req = await parse_body(request, s.ForecastRequest)
        dash.check_forecast(req)
        out = await workers.forecast(lambda progress: dash.forecast(req, progress), request.is_disconnected)
        return Response(encode_json(out), media_type="application/json")

    forecast.__annotations__.update({"request": Request, "return": Response})
    app.add_api_route(
        "/api/forecast", forecast, methods=["POST"], tags=["projection"], response_model=None,
        responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}},
                   429: {"model": s.ErrorOut}, 501: {"model": s.ErrorOut}},
        openapi_extra=body_doc(s.ForecastRequest),
    )

    @app.get("/api/split/{election}/{seat}", tags=["scenarios"], responses={501: {"model": s.ErrorOut}})
    def split(election: Key, seat: Key) -> dict[str, Any]:
        """Split-vote analysis of one seat: who would have won without each candidate."""
        return dash.split(election, seat)

    from seatcast.web.night import NightBoard, night_router  # the election-night view (/night)

    app.state.night = NightBoard(dash.store, max_sims=cap)
    app.include_router(night_router(app.state.night))
    app.mount("/static", StaticFiles(directory=_static_dir()), name="static")
    app.openapi = _with_body_schemas(app, [s.ProjectRequest, s.ForecastRequest])  # type: ignore[method-assign]
    return app


async def parse_body(request: Any, model: type[s.RequestT]) -> s.RequestT:
    """Parse and validate a JSON body in one step, by pydantic's own JSON parser.

    The slider's hot path skips FastAPI's dict round trip (a third of a request's cost), and the
    JSON parser keeps types strict (``seed: false`` is not 0).
    """
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def body_doc(model: type[Any]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of a route that reads its body raw (its models: components)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _with_body_schemas(app: FastAPI, models: list[type[Any]]) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` with the raw-body models' nested schemas (the step kinds) in its components."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = plain()
            parts = doc.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                defs = model.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {})
                for name, schema in defs.items():
                    parts.setdefault(name, schema)
            app.openapi_schema = doc
        return app.openapi_schema

    return openapi

