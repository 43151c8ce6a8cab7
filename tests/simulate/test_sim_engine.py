"""Engine: reproducibility, invariance to chunks/workers/dask, agreement with the reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sim_support import same, same_tally

from conftest import need
from seatcast.data.store import Store
from seatcast.projection import ProjectionSetup, prepare
from seatcast.simulate import BLOCK, ErrorModel, estimate_error, kernels, simulate
from seatcast.simulate.reference import reference_simulate


@pytest.fixture(scope="module")
def setup(store: Store) -> ProjectionSetup:
    return prepare(store.load("ge2019n24"), {"lab": 39.7, "con": 23.7, "ld": 12.2, "ruk": 15.8, "green": 6.8},
                   model="uns", as_of="2024-07-04", store=store)


@pytest.fixture(scope="module")
def error(store: Store) -> ErrorModel:
    return estimate_error("2024-07-04", store=store)


def test_same_seed_same_bytes_different_seed_differs(setup: ProjectionSetup, error: ErrorModel) -> None:
    a = simulate(setup, n_sims=300, seed=7, error=error)
    b = simulate(setup, n_sims=300, seed=7, error=error)
    c = simulate(setup, n_sims=300, seed=8, error=error)
    same(a, b)
    assert not np.array_equal(a.win_counts, c.win_counts)
    assert a.win_counts.sum(axis=1).tolist() == [300] * setup.frame.n_seats


def test_no_seed_varies_and_records_entropy(setup: ProjectionSetup, error: ErrorModel) -> None:
    a = simulate(setup, n_sims=50, seed=None, error=error)
    b = simulate(setup, n_sims=50, seed=None, error=error)
    assert a.seed != b.seed
    same(a, simulate(setup, n_sims=50, seed=a.seed, error=error))


@pytest.mark.parametrize("chunk", [1, 37, BLOCK, 3 * BLOCK])
def test_chunk_size_invariance(setup: ProjectionSetup, error: ErrorModel, chunk: int) -> None:
    n = BLOCK + 150  # two blocks, the second partial
    same(simulate(setup, n_sims=n, seed=3, error=error, chunk_size=chunk),
         simulate(setup, n_sims=n, seed=3, error=error, chunk_size=500))


def test_local_workers_equal_single_process(setup: ProjectionSetup, error: ErrorModel) -> None:
    n = 2 * BLOCK + 10
    seen: list[tuple[int, int]] = []
    multi = simulate(setup, n_sims=n, seed=11, error=error, chunk_size=BLOCK, workers=2,
                     progress=lambda d, t: seen.append((d, t)))
    same(multi, simulate(setup, n_sims=n, seed=11, error=error, chunk_size=BLOCK))
    assert seen[-1] == (n, n) and len(seen) == 3


def test_dask_local_cluster_equals_single_process(setup: ProjectionSetup, error: ErrorModel) -> None:
    need("distributed")
    from distributed import LocalCluster

    n = 2 * BLOCK + 5
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        remote = simulate(setup, n_sims=n, seed=5, error=error, chunk_size=BLOCK, dask_address=address)
    same(remote, simulate(setup, n_sims=n, seed=5, error=error))


def test_reference_agrees_seed_for_seed(store: Store, error: ErrorModel) -> None:
    small = prepare(store.load("ge2019n24"), {"lab": 40, "con": 24, "ld": 12, "ruk": 15}, model="uns")
    n = 6
    fast = simulate(small, n_sims=n, seed=21, error=error, chunk_size=4)
    wins, shares = reference_simulate(small, n_sims=n, seed=21, error=error)
    # Same draws; float32 rounding may differ in the last bit, so a near-tie could flip a seat.
    assert (fast.win_counts != wins).sum() <= 4
    np.testing.assert_allclose(fast.mean_shares, shares / n, atol=1e-5)


class Boost:
    """A toy deterministic step: moves 5 points from every party to Labour, proportionally."""

    def __init__(self, col: int) -> None:
        self.col = col

    def apply(self, shares: Any, rng: np.random.Generator | None) -> Any:
        out = shares * 0.95
        out[..., self.col] += 0.05
        return out


def test_steps_share_draws_and_help_the_boosted_party(setup: ProjectionSetup, error: ErrorModel) -> None:
    lab = setup.parties.index("lab")
    plain = simulate(setup, n_sims=200, seed=2, error=error)
    boosted = simulate(setup, n_sims=200, seed=2, error=error, steps=[Boost(lab)])
    # Same draws: every seat Labour wins without the step it still wins with it.
    assert (boosted.win_counts[:, lab] >= plain.win_counts[:, lab]).all()
    assert boosted.seats_mean("lab") > plain.seats_mean("lab")


def test_zero_error_reproduces_point_projection(setup: ProjectionSetup, error: ErrorModel) -> None:
    r = simulate(setup, n_sims=20, seed=1, error=error.scaled(0.0))
    from seatcast.data.frame import winners_of

    point = winners_of(np.asarray(setup.run(), dtype=np.float32), setup.parties)
    assert np.array_equal(np.asarray(setup.parties)[r.win_counts.argmax(axis=1)], point)
    assert r.win_counts.max(axis=1).tolist() == [20] * setup.frame.n_seats


@given(shares=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=6), sd=st.floats(0.0, 2.0))
def test_seat_noise_keeps_valid_shares(shares: list[float], sd: float) -> None:
    s = np.asarray(shares, dtype=np.float32)
    if s.sum() == 0:
        s[0] = 1
    s = (s / s.sum())[None, :].repeat(2, axis=0)  # [2 seats, P]
    p = s.shape[-1]
    buckets = kernels.build_buckets(s > 0, None, np.full(s.shape, sd, np.float32), s, np.zeros(2, np.intp),
                                    np.zeros(2, np.intp), 1)
    assert len(buckets) == 1
    b = buckets[0]
    rng = np.random.default_rng(0)
    x = np.broadcast_to(b.base, (4, b.k, b.m)).copy()  # [4 sims, k, 2 seats]
    a, c, total = np.empty_like(x), np.empty_like(x), np.empty((4, b.m), np.float32)
    kernels.seat_noise(x, rng.standard_normal((4, b.size), dtype=np.float32),
                       rng.standard_normal((4, p), dtype=np.float32) * np.float32(sd), b, a, c)
    kernels.renormalise_or(x, total, b.base)
    assert (x >= 0).all()
    np.testing.assert_allclose(x.sum(axis=1), 1, atol=1e-5)
    assert b.size == 2 * int((s[0] > 0).sum())  # only the parties standing are laid out


def test_normals_are_standard_and_batch_free() -> None:
    lay = kernels.Layout(n_national=3, n_groups=1, n_regions=1, n_parties=2, n_pairs=2000)
    z = kernels.draw(np.random.default_rng(5), 50, lay)
    assert z.shape == (50, lay.width) and lay.width % 2 == 0
    assert abs(float(z.mean())) < 0.01 and abs(float(z.std()) - 1) < 0.01
    assert abs(float(np.mean(z**4)) - 3) < 0.1  # normal kurtosis, not uniform's
    rng = np.random.default_rng(5)
    parts = [kernels.draw(rng, n, lay) for n in (1, 20, 29)]
    np.testing.assert_array_equal(np.vstack(parts), z)


def test_buckets_cover_each_standing_pair_once(setup: ProjectionSetup, error: ErrorModel) -> None:
    from seatcast.simulate.engine import make_plan

    plan = make_plan(setup, error, 1)
    base = setup.frame.shares
    standing = base > 0
    standing[setup.modelled] |= setup.ctx.stands
    flat = np.concatenate([b.flat_idx for b in plan.buckets])
    assert len(flat) == len(np.unique(flat)) == int(standing.sum())
    assert set(flat.tolist()) == set(np.flatnonzero(standing.ravel()).tolist())
    oth = setup.parties.index("oth")
    for b in plan.buckets:  # oth is never among the contenders
        assert not (b.cols[: b.n_contenders] == oth).any()
    assert plan.mode == "uns"


@pytest.mark.parametrize("model", ["uns", "proportional", "transition"])
def test_compact_kernel_equals_setup_run(store: Store, error: ErrorModel, model: str) -> None:
    from dataclasses import replace

    from seatcast.simulate.engine import Workspace, make_plan, simulate_shares

    st_ = prepare(store.load("ge2019n24"), {"lab": 40, "con": 24, "ld": 12, "ruk": 15}, model=model)
    quiet = replace(error, region_sd=0.0, seat_sd=0.0, seat_sd_third=0.0, seat_sd_ind=0.0)
    plan = make_plan(st_, quiet, 1)
    assert plan.mode == ("generic" if model == "transition" else model)
    n = 5
    z = kernels.draw(np.random.default_rng(0), n, plan.layout)
    out = simulate_shares(st_, plan, z, Workspace(plan, n))
    # No seat or region noise: each simulation is setup.run on its perturbed targets.
    z_nat, z_nation, _, _ = plan.layout.split(z)
    targets = kernels.perturb_targets(plan.target, z_nat @ plan.national_w, z_nation * plan.nation_sd)
    expect = np.asarray(st_.run(targets), dtype=np.float32)
    np.testing.assert_allclose(out, expect, atol=3e-7)
    assert np.abs(out - out[:1]).max() > 1e-3  # the simulations do differ


def test_tally_histogram_adds_up(setup: ProjectionSetup, error: ErrorModel) -> None:
    r = simulate(setup, n_sims=100, seed=4, error=error)
    assert (r.seat_hist.sum(axis=1) == 100).all()
    totals = (r.seat_hist * np.arange(r.n_seats + 1)).sum()
    assert totals == 100 * r.n_seats
    assert r.hung + int(r.majority.sum()) == 100


@pytest.mark.parametrize("model", ["uns", "proportional", "transition"])
def test_numba_kernels_equal_numpy_bit_for_bit_on_the_same_variates(store: Store, error: ErrorModel,
                                                                    model: str) -> None:
    """Given numpy's own variates (``draws="stream"``), the fused loop gives the numpy path's bytes."""
    need("numba")
    from seatcast.simulate.engine import make_plan, run_blocks

    st_ = prepare(store.load("ge2019n24"), {"lab": 40, "con": 24, "ld": 12, "ruk": 15, "green": 7}, model=model)
    plan = make_plan(st_, error, 9, compiled=True)
    n = BLOCK + 70
    same_tally(run_blocks(st_, plan, (), [0, 1], n, 64, "numba", draws="stream"),
               run_blocks(st_, plan, (), [0, 1], n, 64, "numpy"))


@pytest.mark.parametrize("model", ["uns", "transition"])
def test_numba_path_same_bytes_whatever_chunks_and_workers(store: Store, error: ErrorModel, model: str) -> None:
    """The compiled path draws by counter: simulation i's variates depend on the seed and i only."""
    need("numba")
    st_ = prepare(store.load("ge2019n24"), {"lab": 40, "con": 24, "ld": 12, "ruk": 15, "green": 7}, model=model)
    n = BLOCK + 70
    one = simulate(st_, n_sims=n, seed=9, error=error, accel="numba")
    same(one, simulate(st_, n_sims=n, seed=9, error=error, accel="numba", chunk_size=300))
    same(one, simulate(st_, n_sims=n, seed=9, error=error, accel="numba", chunk_size=BLOCK, workers=2))
    assert not np.array_equal(one.win_counts, simulate(st_, n_sims=n, seed=10, error=error,
                                                       accel="numba").win_counts)


def test_draws_are_checked(setup: ProjectionSetup, error: ErrorModel) -> None:
    from seatcast.simulate.engine import make_plan, run_blocks

    plan = make_plan(setup, error, 1)
    with pytest.raises(ValueError, match="draws"):
        run_blocks(setup, plan, (), [0], 10, 10, "numpy", draws="quasi")
    with pytest.raises(ValueError, match="compiled path"):
        run_blocks(setup, plan, (), [0], 10, 10, "numpy", draws="counter")


def test_accel_setting_is_checked(setup: ProjectionSetup, error: ErrorModel, monkeypatch: pytest.MonkeyPatch) -> None:
    from seatcast.errors import InputError

    with pytest.raises(InputError, match="accel"):
        simulate(setup, n_sims=10, seed=1, error=error, accel="gpu")
    monkeypatch.setenv("SEATCAST_ACCEL", "nonsense")
    with pytest.raises(InputError, match="accel"):
        simulate(setup, n_sims=10, seed=1, error=error)


def test_nation_sizes_per_group(store: Store, setup: ProjectionSetup, error: ErrorModel) -> None:
    """Each swing group gets its own nation-error size; the same for all is the single-size engine."""
    from dataclasses import replace

    from seatcast.simulate.engine import make_plan

    uniform = replace(error, nation_sds=tuple((g, error.nation_sd) for g in setup.groups))
    same(simulate(setup, n_sims=200, seed=3, error=uniform), simulate(setup, n_sims=200, seed=3, error=error))
    own = replace(error, nation_sds=(("England", 0.0), ("Scotland", 0.2)))
    plan = make_plan(setup, own, 1)
    sizes = dict(zip(setup.groups, plan.nation_sd[:, 0].tolist(), strict=True))
    assert sizes["England"] == 0.0 and sizes["Scotland"] == pytest.approx(0.2)
    assert sizes["Wales"] == pytest.approx(error.nation_sd)
    small = prepare(store.load("ge2019n24"), {"lab": 40, "con": 24, "ld": 12, "ruk": 15}, model="uns")
    fast = simulate(small, n_sims=6, seed=21, error=own, chunk_size=4)
    wins, shares = reference_simulate(small, n_sims=6, seed=21, error=own)
    assert (fast.win_counts != wins).sum() <= 4
    np.testing.assert_allclose(fast.mean_shares, shares / 6, atol=1e-5)
    assert own.scaled(2.0).nation_sd_of("Scotland") == pytest.approx(0.4)
