"""Helpers shared by the engine's tests: two runs are the same when every integer tally is."""

from __future__ import annotations

import numpy as np

from seatcast.simulate import ForecastResult, kernels

TALLIES = ("win_counts", "seat_hist", "majority", "largest", "share_q")


def same_tally(a: kernels.Tally, b: kernels.Tally) -> None:
    """Every accumulator equal, to the count."""
    for name in TALLIES:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.n, a.hung) == (b.n, b.hung)


def same(a: ForecastResult, b: ForecastResult) -> None:
    """Two forecasts with the same tallies (so the same bytes in every output)."""
    for name in TALLIES:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.hung == b.hung and a.n_sims == b.n_sims
