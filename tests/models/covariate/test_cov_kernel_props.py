"""Property tests of the REAL covariate kernel: fitted on the bundled elections, bound to the 2024 seats.

The registered ``covariate`` model has no plain kernel of its own (its factory binds the fitted
numbers to a projection's seats), so the kernel tested here is the one ``seatcast project``
uses: the stored fit on every bundled election, bound to the 2019 notional base.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.models.covariate.kernel import CovariateKernel
from seatcast.projection import ProjectionSetup, prepare


class Bound:
    """The setup under a short name: hypothesis prints a failing case's arguments."""

    def __init__(self, setup: ProjectionSetup) -> None:
        self.setup = setup

    def __repr__(self) -> str:
        return "<covariate kernel bound to ge2019n24, fit on every bundled election>"


@pytest.fixture(scope="module")
def bound(store: Store) -> Bound:
    s = prepare(store.load("ge2019n24"), {"lab": 34, "con": 24, "ruk": 14, "ld": 12, "green": 7}, model="covariate",
                store=store, fits=source(store))
    assert isinstance(s.kernel, CovariateKernel)
    return Bound(s)


def _targets(setup: ProjectionSetup, seed: int, scale: float, n: int) -> np.ndarray:
    """``n`` group targets near the setup's: each standing party moved, rows summing to 1."""
    rng = np.random.default_rng(seed)
    t = setup.target
    moved = np.clip(t * np.exp(rng.normal(0, scale, (n, *t.shape))), 0, None) * (t > 0)
    return moved / moved.sum(axis=-1, keepdims=True)


@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.6))
def test_shares_stay_in_unit_interval_and_sum_to_one(bound: Bound, seed: int, scale: float) -> None:
    setup = bound.setup
    out = np.asarray(setup.kernel(setup.ctx, _targets(setup, seed, scale, 3)))
    assert (out >= 0).all() and (out <= 1).all()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-6)


@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.6))
def test_a_party_that_does_not_stand_gets_nothing(bound: Bound, seed: int, scale: float) -> None:
    setup = bound.setup
    out = np.asarray(setup.kernel(setup.ctx, _targets(setup, seed, scale, 2)))
    assert (out[:, ~setup.ctx.stands] == 0).all()


def test_no_change_returns_the_base(bound: Bound) -> None:
    setup = bound.setup
    out = np.asarray(setup.kernel(setup.ctx, setup.ctx.base_national))
    np.testing.assert_allclose(out, setup.ctx.base, atol=1e-9)


@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.6))
def test_rebasing_hits_every_group_target(bound: Bound, seed: int, scale: float) -> None:
    setup = bound.setup
    targets = _targets(setup, seed, scale, 2)
    out = np.asarray(setup.kernel(setup.ctx, targets))
    ctx = setup.ctx
    for g in range(ctx.n_groups):
        m = ctx.group == g
        w = ctx.weights[m] / ctx.weights[m].sum()
        got = np.einsum("s,nsp->np", w, out[:, m])
        # Re-based within half a point of each group target, as test_cov_kernel_broadcasts_and_rebases allows.
        np.testing.assert_allclose(got, targets[:, g], atol=5e-3)
