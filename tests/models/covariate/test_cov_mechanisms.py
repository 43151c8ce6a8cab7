"""The covariate model's structural mechanisms: squeeze, populist-right base, churn, earned trust."""

from __future__ import annotations

from datetime import date

import numpy as np

from seatcast.data.store import Store
from seatcast.fit.covariate import fit_covariate, select_groups
from seatcast.models.context import SwingContext
from seatcast.models.covariate.features import FEATURES, SeatDesign, feature_mask, right_base, squeeze_targets
from seatcast.models.covariate.kernel import (
    CovariateKernel,
    Squeeze,
    apply_squeeze,
    build_kernel,
    right_weight,
    volatility,
)


def _ctx(base: np.ndarray) -> SwingContext:
    n = base.shape[0]
    return SwingContext(base=base, group=np.zeros(n, dtype=np.intp), weights=np.ones(n),
                        stands=base > 0, n_groups=1)


def test_cov_squeeze_moves_the_advised_fraction_and_conserves_seats() -> None:
    # Two seats, parties (con, lab, ld): seat 0 advises ld (3 of 4 sites), seat 1 no advice.
    y = np.array([[0.40, 0.30, 0.30], [0.50, 0.30, 0.20]])
    recipient = np.array([[0, 0, 1.0], [0, 0, 0]])
    donor = np.array([[0, 0.75, 0], [0, 0, 0]])
    out = apply_squeeze(y, Squeeze(recipient, donor), 0.4)
    # 0.4 x 0.75 x 30% = 9 points of Labour's vote move to the Liberal Democrats.
    np.testing.assert_allclose(out[0], [0.40, 0.21, 0.39])
    np.testing.assert_allclose(out[1], y[1])
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)
    batch = apply_squeeze(np.stack([y, y]).astype(np.float32), Squeeze(recipient, donor), 0.4)
    assert batch.dtype == np.float32 and np.allclose(batch[1], out, atol=1e-6)


def test_cov_squeeze_targets_advice_and_proxy() -> None:
    parties = ("con", "lab", "ld", "green", "oth")
    base = np.array([[0.5, 0.1, 0.3, 0.05, 0.05], [0.2, 0.6, 0.1, 0.05, 0.05]])
    advice = {"s0": {"ld": 0.75, "lab": 0.25}}
    rec, don, advised = squeeze_targets(["s0", "s1"], parties, base, advice)
    assert advised and rec[0, 2] == 1 and don[0, 1] == don[0, 3] == 0.75 and don[0, 2] == 0 and not rec[1].any()
    # No advice bundled: the best-placed anti-Conservative party where the Conservatives are top two.
    rec, don, advised = squeeze_targets(["s0", "s1"], parties, base, {})
    assert not advised and rec[0, 2] == 1 and rec[1, 1] == 1 and don[1, 2] == 1.0 and don[1, 0] == 0


def test_cov_right_base_follows_predecessor_geography() -> None:
    # Three equal seats; the populist right (column 1) has a flat 4% filler; UKIP 2015 says -50%, 0, +50%.
    base = np.array([[0.56, 0.04, 0.40], [0.56, 0.04, 0.40], [0.56, 0.04, 0.40]])
    out = right_base(base, base > 0, np.zeros(3, dtype=np.intp), np.ones(3), 1, np.array([-0.5, 0.0, 0.5]))
    np.testing.assert_allclose(out[:, 1], [0.02, 0.04, 0.06])
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    np.testing.assert_allclose(out[:, 0] / out[:, 2], 0.56 / 0.40)  # the others keep their ratio


def test_cov_right_base_blends_in_as_the_party_grows() -> None:
    base = np.array([[0.56, 0.04, 0.40], [0.56, 0.04, 0.40], [0.56, 0.04, 0.40]])
    ctx = _ctx(base)
    moved = right_base(base, base > 0, ctx.group, ctx.weights, 1, np.array([-0.5, 0.0, 0.5]))
    k = build_kernel(SeatDesign(roles=(None, None, None), z={}), {}, ("con", "right", "lab"), "right", ctx=ctx,
                     right_base=moved, rebase=False)
    np.testing.assert_allclose(k(ctx, ctx.base_national), base)  # no change: the base, whatever the map
    np.testing.assert_allclose(right_weight(np.array([0.04, 0.06, 0.08, 0.2]), np.full(4, 0.04)), [0, 0.5, 1, 1])
    # Doubled: uniform swing from the predecessor's map (+4 points on 2, 4, 6).
    out = k(ctx, ctx.base_national + np.array([[-0.02, 0.04, -0.02]]))
    np.testing.assert_allclose(out[:, 1], [0.06, 0.08, 0.10], atol=1e-9)


def test_cov_churn_regresses_a_flat_party_towards_its_mean() -> None:
    # A party flat nationally (A) still loses where strong and gains where weak when B and C swap 10 points.
    base = np.array([[0.6, 0.2, 0.2], [0.2, 0.4, 0.4]])
    ctx = _ctx(base)
    target = ctx.base_national + np.array([0.0, 0.1, -0.1])
    assert np.isclose(volatility(target - ctx.base_national), 0.1)
    k = CovariateKernel(m=np.zeros((2, 3, 3)), c=np.zeros((2, 3)), rel=base / ctx.base_national - 1, kappa=1.0)
    out = k(ctx, target)
    assert out[0, 0] < 0.6 and out[1, 0] > 0.2
    np.testing.assert_allclose(ctx.group_mean(out), target, atol=1e-6)


def test_cov_one_training_pair_trusts_nothing(store: Store) -> None:
    """With one earlier pair (the 2017 backtest) no mechanism or pattern is validated: uniform swing."""
    fitted = fit_covariate(store, date(2017, 6, 8))
    assert len(fitted.pairs) == 1
    assert fitted.theta_down == fitted.theta_up == fitted.kappa == fitted.squeeze_f == 0.0
    assert not fitted.coef and not fitted.selected


def test_cov_squeeze_for_2024_comes_from_2019_advice(store: Store) -> None:
    fitted = fit_covariate(store, date(2024, 7, 4))
    assert fitted.squeeze_f == fitted.squeeze_by_pair["ge2019"] > 0
    assert 0 < fitted.theta_down <= 1.2
    assert set(fitted.to_dict()) >= {"theta_down", "kappa", "squeeze_f", "selected", "coef"}


def test_cov_select_groups_keeps_a_stable_pattern_and_drops_noise() -> None:
    rng = np.random.default_rng(3)
    demo = np.flatnonzero(feature_mask(("demography",)))
    brexit = np.flatnonzero(feature_mask(("brexit",)))
    data = []
    for _ in range(3):
        x = np.zeros((400, len(FEATURES)))
        x[:, demo] = rng.normal(size=(400, len(demo)))
        x[:, brexit] = rng.normal(size=(400, len(brexit)))
        y = 0.02 * x[:, demo[0]] + rng.normal(0, 0.01, 400)
        data.append(({"con": x}, {"con": y}))
    chosen, alpha, cv = select_groups(data, ("brexit", "demography", "falling"))
    assert chosen == ("demography",) and alpha > 0 and cv["con"] < 0.02


def test_cov_unionist_advice_squeezes_only_in_scotland(store: Store) -> None:
    from seatcast.backtest.runner import standing_of
    from seatcast.data.polls import nation_poll_averages, poll_average
    from seatcast.fit.registry import source
    from seatcast.projection import prepare

    target = store.load("ge2024")
    setup = prepare(store.load("ge2019n24"), poll_average("ge2024"), model="covariate",
                    nations=nation_poll_averages("ge2024"), standing=standing_of(target), as_of=target.date,
                    store=store, fits=source(store))
    kernel = setup.kernel
    assert isinstance(kernel, CovariateKernel) and len(kernel.squeeze) == 2
    scot = np.array(setup.frame.nations)[setup.modelled] == "Scotland"
    unionist = kernel.squeeze[1]
    assert unionist.recipient[scot].any() and not unionist.recipient[~scot].any()
    con = setup.parties.index("con")
    assert unionist.donor[unionist.recipient[:, con] == 1, con].max() == 0  # the recommended party gives nothing


def test_cov_ablation_rows(store: Store) -> None:
    from seatcast.fit.ablation import ablation

    rows = ablation(store, drops=("squeeze",), elections=("ge2019",), inputs=("actual",))
    assert [r["variant"] for r in rows] == ["all", "squeeze"]
    assert rows[0]["ge2019/actual"] > rows[1]["ge2019/actual"]  # the 2019 squeeze earns seats
    from seatcast.models import MODELS

    assert "covariate-squeeze" not in MODELS  # the variants are values: never registered
