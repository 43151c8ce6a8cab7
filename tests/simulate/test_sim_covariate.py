"""The default (covariate) model in the engine: the compiled kernel against the numpy one, seeds and chunks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sim_support import same

from conftest import need
from seatcast.data.polls import poll_average
from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.models.covariate.kernel import CovariateKernel
from seatcast.projection import ProjectionSetup, prepare
from seatcast.simulate import BLOCK, ErrorModel, estimate_error, kernels, simulate
from seatcast.simulate.engine import apply_errors, block_rng, make_plan, seat_major


@pytest.fixture(scope="module")
def cov(store: Store) -> ProjectionSetup:
    """ge2019n24 with the ge2024 final polls: the bench's default-model setup (tactical advice, right base)."""
    return prepare(store.load("ge2019n24"), poll_average("ge2024"), model="covariate", as_of="2024-07-04",
                   store=store, fits=source(store))


@pytest.fixture(scope="module")
def error(store: Store) -> ErrorModel:
    return estimate_error("2024-07-04", store=store)


def test_pair_maps_cover_every_share_the_kernel_can_give(cov: ProjectionSetup, error: ErrorModel) -> None:
    plan = make_plan(cov, error, 1, compiled=True)
    assert plan.cov is not None
    z = kernels.draw(block_rng(1, 0), 40, plan.layout)
    targets, _, _ = apply_errors(plan, z)
    full = np.asarray(cov.run(targets), dtype=np.float32).reshape(40, -1)
    outside = np.ones(full.shape[1], bool)
    outside[np.concatenate([b.flat_idx for b in plan.buckets])] = False
    assert not full[:, outside].any()  # nothing is lost by computing the pairs only
    assert (plan.cov.extra >= 0).any()  # this setup has a tactical recipient that does not stand


def test_compiled_covariate_kernel_equals_numpy_kernel_within_float32_rounding(cov: ProjectionSetup,
                                                                               error: ErrorModel) -> None:
    need("numba")
    from seatcast.simulate import accel

    plan = make_plan(cov, error, 2, compiled=True)
    assert plan.cov is not None
    n = 70  # two full groups of lanes and a partial one
    z = kernels.draw(block_rng(2, 0), n, plan.layout)
    targets, _, _ = apply_errors(plan, z)
    got = accel.covariate_shares(plan.cov, targets)
    idx = np.concatenate([b.flat_idx for b in plan.buckets])[seat_major(plan.buckets)]
    expect = np.asarray(cov.run(targets), dtype=np.float32).reshape(n, -1)[:, idx]
    np.testing.assert_allclose(got, expect, rtol=0, atol=2e-6)
    assert np.abs(expect - expect[:1]).max() > 1e-3  # the simulations do differ
    # A simulation's shares do not depend on its neighbours in the lanes.
    np.testing.assert_array_equal(accel.covariate_shares(plan.cov, targets[37:38]), got[37:38])


def _variant(cov: ProjectionSetup, name: str) -> ProjectionSetup:
    """The fitted kernel with one mechanism off or a general coefficient shape, to reach every branch."""
    k = cov.kernel
    assert isinstance(k, CovariateKernel)
    if name == "fitted":
        return cov
    if name == "no squeeze, no right base, no re-basing":
        return replace(cov, kernel=replace(k, squeeze=(), right_delta=None, rebase=False))
    rng = np.random.default_rng(0)  # cross-party drivers and a "freed" term: M off its diagonal, M_down
    m = k.m + rng.normal(0, 0.05, k.m.shape) * (rng.random(k.m.shape) < 0.1)
    return replace(cov, kernel=replace(k, m=m, m_down=rng.normal(0, 0.05, k.m.shape) * (rng.random(k.m.shape) < 0.1)))


@pytest.mark.parametrize("variant", ["fitted", "no squeeze, no right base, no re-basing", "general drivers"])
def test_compiled_covariate_kernel_variants_equal_numpy(cov: ProjectionSetup, error: ErrorModel, variant: str) -> None:
    need("numba")
    from seatcast.simulate import accel

    st_ = _variant(cov, variant)
    plan = make_plan(st_, error, 3, compiled=True)
    assert plan.cov is not None
    z = kernels.draw(block_rng(3, 0), 33, plan.layout)
    targets, _, _ = apply_errors(plan, z)
    idx = np.concatenate([b.flat_idx for b in plan.buckets])[seat_major(plan.buckets)]
    expect = np.asarray(st_.run(targets), dtype=np.float32).reshape(33, -1)[:, idx]
    np.testing.assert_allclose(accel.covariate_shares(plan.cov, targets), expect, rtol=0, atol=2e-6)


def test_numba_covariate_same_bytes_whatever_chunks_and_workers(cov: ProjectionSetup, error: ErrorModel) -> None:
    need("numba")
    n = BLOCK + 45
    one = simulate(cov, n_sims=n, seed=12, error=error, accel="numba")
    same(one, simulate(cov, n_sims=n, seed=12, error=error, accel="numba", chunk_size=37))
    same(one, simulate(cov, n_sims=n, seed=12, error=error, accel="numba", chunk_size=BLOCK, workers=2))
    assert not np.array_equal(one.win_counts, simulate(cov, n_sims=n, seed=13, error=error,
                                                       accel="numba").win_counts)


def test_numba_covariate_agrees_with_numpy_path_on_the_same_variates(cov: ProjectionSetup, error: ErrorModel) -> None:
    need("numba")
    from seatcast.simulate.engine import run_blocks

    n = 600
    plan = make_plan(cov, error, 4, compiled=True)
    fast = run_blocks(cov, plan, (), [0], n, 64, "numba", draws="stream")
    slow = run_blocks(cov, make_plan(cov, error, 4), (), [0], n, 32, "numpy")
    # Same variates, kernels equal to float32 rounding: a seat may flip only on a near-exact tie.
    assert np.abs(fast.win_counts - slow.win_counts).sum() <= 2 * 2
    np.testing.assert_allclose(fast.share_q, slow.share_q, rtol=0, atol=n * 2**24 * 4e-6)


def test_numba_covariate_forecast_agrees_with_numpy_within_monte_carlo_error(cov: ProjectionSetup,
                                                                              error: ErrorModel) -> None:
    """The two engines draw different variates of the same distribution: their forecasts agree statistically."""
    need("numba")
    n = 4000
    fast = simulate(cov, n_sims=n, seed=5, error=error, accel="numba")
    slow = simulate(cov, n_sims=n, seed=5, error=error)
    seats = np.arange(fast.n_seats + 1)
    for j, party in enumerate(cov.parties):
        mf, ms = (fast.seat_hist[j] @ seats) / n, (slow.seat_hist[j] @ seats) / n
        sd = np.sqrt(max((fast.seat_hist[j] @ seats**2) / n - mf**2, (slow.seat_hist[j] @ seats**2) / n - ms**2))
        assert abs(mf - ms) <= 5 * sd * np.sqrt(2 / n) + 0.5, party  # seat totals: means within Monte Carlo error
    p_fast, p_slow = fast.win_counts / n, slow.win_counts / n
    se = np.sqrt((p_fast * (1 - p_fast) + p_slow * (1 - p_slow)) / n)
    assert (np.abs(p_fast - p_slow) <= 5 * se + 2 / n).mean() > 0.999  # per seat and party
    np.testing.assert_allclose(fast.share_q / n / 2**24, slow.share_q / n / 2**24, rtol=0, atol=0.01)
