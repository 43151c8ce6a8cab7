"""The ceiling on simulations per run, and how to raise it (``$SEATCAST_MAX_SIMS``).

Memory no longer grows with the simulation count (blocks are listed lazily and the night draws
in chunks), but time does: a mistyped ``--sims 10000000000`` would run for days. One mechanism
serves every entry point (CLI, scenario files, backtests, the Python API, the night and the
web server): the environment variable ``SEATCAST_MAX_SIMS``, a positive integer.
"""

from __future__ import annotations

import os

from seatcast.errors import InputError

ENV = "SEATCAST_MAX_SIMS"
#: The ceiling for local runs when ``$SEATCAST_MAX_SIMS`` is not set (10x the 1M of the benchmarks).
DEFAULT_MAX_SIMS = 10_000_000


def max_sims(default: int = DEFAULT_MAX_SIMS) -> int:
    """``$SEATCAST_MAX_SIMS`` when set, else ``default``; a malformed value is an error, never ignored."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return default
    try:
        cap = int(raw.replace("_", ""))
    except ValueError:
        raise InputError(f"{ENV}={raw!r} is not an integer") from None
    if cap < 1:
        raise InputError(f"{ENV}={raw!r} must be at least 1")
    return cap


def check_sims(n_sims: int, *, what: str = "n_sims", default: int = DEFAULT_MAX_SIMS) -> None:
    """Refuse a simulation count over the ceiling, saying how to raise it."""
    cap = max_sims(default)
    if n_sims > cap:
        raise InputError(f"{what}={n_sims:,} is over the limit of {cap:,} simulations per run "
                         f"(set {ENV} to raise it)")
