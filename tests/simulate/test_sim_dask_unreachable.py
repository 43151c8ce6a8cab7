"""An unreachable Dask scheduler is a one-line error within seconds, not a traceback after 30."""

from __future__ import annotations

import time

import pytest

from conftest import need
from seatcast.errors import InputError
from seatcast.simulate import engine


def test_unreachable_scheduler_fails_fast_and_names_it() -> None:
    need("distributed")
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"--dask tcp://127\.0\.0\.1:1: cannot reach the Dask scheduler within 5 s"):
        next(engine._run_dask(iter([range(1)]), "tcp://127.0.0.1:1", None, None, (), 1, 1, "numpy"))  # type: ignore[arg-type]
    assert time.perf_counter() - t0 < engine.DASK_CONNECT_TIMEOUT + 20
