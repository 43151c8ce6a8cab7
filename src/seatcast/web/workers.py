"""Where the web server runs its slow work: bounded pools, so forecasts cannot starve the swingometer.

A slider move (``POST /api/project``) costs milliseconds; a forecast costs seconds of numpy.
Run in one shared thread pool, a few forecasts and fifty slider clients would fight over the
GIL and every slider answer would wait. So:

* projections that are not answered on the event loop run in a small pool of their own
  (:data:`PROJECT_WORKERS` threads, first come first served), and those with scenario steps
  (up to 50 steps over every seat: seconds) in another (:data:`SCENARIO_WORKERS`), so a few
  heavy scenarios cannot hold up the slider;
* forecasts run in another, with a fixed number of slots (``--max-forecasts``,
  ``$SEATCAST_MAX_FORECASTS``, 2 by default): a forecast asked for while every slot is busy
  is refused at once with a 429 and ``Retry-After`` rather than queued;
* forecast threads run at a lower CPU priority (``nice`` +:data:`FORECAST_NICE`, where the
  system allows it), and so do the worker processes they start: on a busy machine the slider
  gets the CPU first;
* a running forecast checks, every block of simulations, whether its client has gone or its
  time (``$SEATCAST_FORECAST_SECONDS``, 60 s by default) is up, and stops there.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from seatcast.errors import InputError, SeatcastError

T = TypeVar("T")

#: Threads that run projections off the event loop (fitted models, scenario steps, first looks).
PROJECT_WORKERS = 2
#: Threads that run projections with scenario steps.
SCENARIO_WORKERS = 1
#: Default number of forecasts that may run at once; ``$SEATCAST_MAX_FORECASTS`` overrides it.
DEFAULT_MAX_FORECASTS = 2
#: Default seconds a forecast may run; ``$SEATCAST_FORECAST_SECONDS`` overrides it.
DEFAULT_FORECAST_SECONDS = 60.0
#: Seconds a refused client is told to wait (``Retry-After``).
RETRY_AFTER = 5
#: How often (seconds) a waiting forecast request checks that its client is still there.
POLL = 0.25
#: How much lower (``nice``) forecast threads and their processes run than the server.
FORECAST_NICE = 10


class Busy(SeatcastError):
    """Every forecast slot is taken: the server answers 429 with ``Retry-After``."""

    retry_after = RETRY_AFTER


class Stopped(SeatcastError):
    """A forecast stopped before the end: its client went away, or its time ran out."""


def env_positive(name: str, default: float, *, integer: bool = True) -> float:
    """``$name`` as a positive number (an integer when ``integer``), else ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not {'an integer' if integer else 'a number'}") from None
    if not value > 0:
        raise InputError(f"{name}={raw!r} must be more than 0")
    return value


class Workers:
    """The projection pool and the forecast slots of one app (see the module docstring)."""

    def __init__(self, max_forecasts: int, forecast_seconds: float) -> None:
        if max_forecasts < 1:
            raise InputError(f"max_forecasts must be at least 1, not {max_forecasts}")
        if not forecast_seconds > 0:
            raise InputError(f"forecast_seconds must be more than 0, not {forecast_seconds}")
        self.max_forecasts = max_forecasts
        self.forecast_seconds = forecast_seconds
        self._slots = threading.BoundedSemaphore(max_forecasts)
        self._lock = threading.Lock()
        self._pools: dict[str, ThreadPoolExecutor] = {}  # made on first use, again after close()

    def _pool(self, name: str) -> ThreadPoolExecutor:
        with self._lock:
            pool = self._pools.get(name)
            if pool is None:
                size = {"project": PROJECT_WORKERS, "scenario": SCENARIO_WORKERS}.get(name, self.max_forecasts)
                pool = self._pools[name] = ThreadPoolExecutor(size, thread_name_prefix=f"seatcast-{name}")
            return pool

    async def project(self, fn: Callable[[], T], *, steps: bool = False) -> T:
        """Run a projection in the projection pool (one with scenario ``steps`` in the scenario pool)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool("scenario" if steps else "project"), fn)

    async def forecast(self, fn: Callable[[Callable[[int, int], None]], T],
                       gone: Callable[[], Awaitable[bool]]) -> T:
        """Run ``fn(progress)`` in a forecast slot; stop it when ``gone()`` or its time is up.

        ``fn`` must call ``progress`` now and then (the simulator does, every block): that is
        where a stop takes effect. The time limit counts from ``progress(0, total)`` (the first
        simulation; fitting a model once per process is not the request's doing), or from the
        start when that call never comes. Raises :class:`Busy` at once when every slot is taken.
        """
        if not self._slots.acquire(blocking=False):
            raise Busy(f"{self.max_forecasts} forecast(s) already running, this server's limit (start seatcast "
                       "serve with --max-forecasts, or set SEATCAST_MAX_FORECASTS, to raise it); "
                       f"try again in {RETRY_AFTER} s")
        stop = threading.Event()
        deadline = time.monotonic() + self.forecast_seconds
        why: list[str] = []

        def progress(done: int, total: int) -> None:
            nonlocal deadline
            if done == 0:
                deadline = time.monotonic() + self.forecast_seconds
            if stop.is_set():
                raise Stopped(why[0] if why else "forecast stopped")
            if done < total and time.monotonic() > deadline:
                raise Stopped(f"forecast stopped after {self.forecast_seconds:g} s at {done} of {total} "
                              "simulations, this server's time limit (ask for fewer sims, or set "
                              "SEATCAST_FORECAST_SECONDS to raise it)")

        def run() -> T:
            _lower_priority()
            try:
                return fn(progress)
            finally:
                self._slots.release()

        future = asyncio.get_running_loop().run_in_executor(self._pool("forecast"), run)
        while True:
            done, _ = await asyncio.wait({future}, timeout=POLL)
            if done:
                return future.result()
            if not stop.is_set() and await gone():
                why.append("forecast cancelled: the client went away")
                stop.set()

    def close(self) -> None:
        """Stop the pools (running work finishes); a later request starts new ones."""
        with self._lock:
            pools, self._pools = self._pools, {}
        for pool in pools.values():
            pool.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    """Lower this thread's CPU priority (Linux: niceness is per thread, and children inherit it)."""
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        if now < FORECAST_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, FORECAST_NICE)
    except OSError:  # not allowed here: run at the usual priority
        pass
