from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from seatcast.data.store import Store
from seatcast.diagnostics.night_calibration import coverage_by_scale, election_coverage
from seatcast.errors import InputError
from seatcast.fit.night_tables import (
    CALIBRATION_CHECKPOINTS,
    CALIBRATION_ELECTIONS,
    CANDIDATE_SCALES,
    INTERVAL_SCALES,
    TRUST_FACTORS,
    TRUST_SCORES,
    CalibrationRow,
    TrustRow,
    calibration_set,
    choose_scale,
    interval_scale_for,
    night_fitted,
    pooled_coverage,
    trust_for,
)
from seatcast.night.model import NightPrior, NightSettings, simulate_night
from seatcast.night.replay import base_of, replay


def _row(name: str, held: date, cov: tuple[float, ...]) -> CalibrationRow:
    return CalibrationRow(name, held, cov)


SYNTH = (
    _row("a", date(2001, 1, 1), (0.70, 0.80, 0.88, 0.92, 0.95, 0.99)),
    _row("b", date(2002, 1, 1), (0.50, 0.60, 0.70, 0.80, 0.85, 0.86)),
    _row("c", date(2003, 1, 1), (0.95, 0.96, 0.97, 0.98, 0.99, 1.00)),
)


def test_rule_picks_smallest_scale_reaching_target_else_largest() -> None:
    assert choose_scale((0.8, 0.85, 0.9, 0.95, 0.99, 1.0)) == 1.4
    assert choose_scale((0.91, 0.95, 0.96, 0.97, 0.98, 0.99)) == 1.0
    assert choose_scale((0.5, 0.6, 0.7, 0.8, 0.85, 0.899)) == max(CANDIDATE_SCALES) == 2.5
    assert choose_scale(None) == 2.5  # no calibration data: nothing shown to reach 90%
    with pytest.raises(ValueError, match="coverage figures"):
        choose_scale((0.9, 0.95))


def test_synthetic_table_pools_earlier_elections_only() -> None:
    assert interval_scale_for(date(2001, 1, 1), SYNTH) == 2.5  # nothing before a
    assert interval_scale_for(date(2001, 6, 1), SYNTH) == 1.6  # a alone: 0.92 at 1.6
    # a and b: (0.60, 0.70, 0.79, 0.86, 0.90, 0.925) -> 2.0
    assert interval_scale_for(date(2002, 6, 1), SYNTH) == 2.0
    pooled = pooled_coverage(SYNTH)
    assert pooled is not None
    assert pooled[0] == pytest.approx((0.70 + 0.50 + 0.95) / 3)
    assert interval_scale_for(None, SYNTH) == choose_scale(pooled)


def test_2017_uses_only_2015() -> None:
    used = calibration_set(date(2017, 6, 8))
    assert [r.election for r in used] == ["ge2015"]
    ge2015 = next(r for r in INTERVAL_SCALES if r.election == "ge2015")
    assert interval_scale_for(date(2017, 6, 8)) == choose_scale(ge2015.coverage)
    # Later rows cannot move it: wipe them out and the 2017 factor stands.
    blank = tuple(dataclasses.replace(r, coverage=(0.0,) * len(CANDIDATE_SCALES)) if r.election != "ge2015" else r
                  for r in INTERVAL_SCALES)
    assert interval_scale_for(date(2017, 6, 8), blank) == interval_scale_for(date(2017, 6, 8))


@pytest.mark.parametrize("row", INTERVAL_SCALES, ids=lambda r: r.election)
def test_no_election_is_calibrated_on_itself_or_later(row: CalibrationRow) -> None:
    used = calibration_set(row.held)
    assert all(r.held < row.held for r in used)
    assert row not in used
    for fill in (0.0, 1.0):  # the row's own figures (and any later one's) cannot change its factor
        forged = tuple(dataclasses.replace(r, coverage=(fill,) * len(CANDIDATE_SCALES)) if r.held >= row.held
                       else r for r in INTERVAL_SCALES)
        assert interval_scale_for(row.held, forged) == interval_scale_for(row.held)


def test_frozen_table_structure() -> None:
    assert tuple(r.election for r in INTERVAL_SCALES) == CALIBRATION_ELECTIONS
    assert [r.held for r in INTERVAL_SCALES] == sorted(r.held for r in INTERVAL_SCALES)
    for r in INTERVAL_SCALES:
        assert all(0.0 <= c <= 1.0 and round(c, 3) == c for c in r.coverage)
        # wider intervals never cover less (same simulations, nested intervals)
        assert list(r.coverage) == sorted(r.coverage)
    assert interval_scale_for(None) in CANDIDATE_SCALES


def test_ge2015_row_recomputes_exactly(store: Store) -> None:
    """The frozen ge2015 row is what the rule's settings give (about 15 s)."""
    frozen = next(r for r in INTERVAL_SCALES if r.election == "ge2015")
    assert election_coverage("ge2015", store) == frozen


def _toy(n: int = 40) -> NightPrior:
    rng = np.random.default_rng(0)
    prior = np.column_stack([rng.uniform(0.3, 0.5, n), rng.uniform(0.3, 0.5, n), np.full(n, 0.1)])
    prior /= prior.sum(axis=1, keepdims=True)
    return NightPrior(
        seat_ids=tuple(f"S{i}" for i in range(n)), names=tuple(f"Seat {i}" for i in range(n)),
        regions=("R",) * n, nations=("N",) * n, parties=("a", "b", "oth"), base=prior.copy(), prior=prior,
        stands=np.ones((n, 3), bool), features=np.zeros((n, 0)), feature_names=(), base_winners=("a",) * n)


def test_coverage_by_scale_matches_rerunning_each_scale() -> None:
    p = _toy()
    d = np.zeros(p.n_seats, bool)
    d[:8] = True
    w: list[str | None] = ["a" if p.prior[i, 0] > p.prior[i, 1] else "b" for i in range(p.n_seats)]
    proj = simulate_night(p, d, p.prior, w, settings=NightSettings(n_sims=300, interval_scale=1.0), rng=4)
    hi_a = proj.seats_interval["a"][1]
    actual = {"a": hi_a + 1, "b": p.n_seats - hi_a - 1}  # just outside a's narrowest interval
    cov = coverage_by_scale(proj, actual)
    for scale, c in zip(CANDIDATE_SCALES, cov, strict=True):
        again = simulate_night(p, d, p.prior, w, settings=NightSettings(n_sims=300, interval_scale=scale), rng=4)
        hits = [again.seats_interval[q][0] <= n <= again.seats_interval[q][1] for q, n in actual.items()]
        assert c == sum(hits) / len(hits)
        assert again.seats_mean == proj.seats_mean  # the scale never moves a mean
    assert cov[0] < 1.0


def test_settings_default_is_the_models_own_spread() -> None:
    assert NightSettings().interval_scale == 1.0 and NightSettings().trust == 1.0
    with pytest.raises(InputError, match="interval scale"):
        NightSettings(interval_scale=0.0)
    with pytest.raises(InputError, match="trust"):
        NightSettings(trust=-1.0)


def test_replay_reports_the_scale_and_notes_it_is_given(store: Store) -> None:
    target, base = store.load("ge2015"), store.load(base_of("ge2015"))
    fitted = night_fitted(date(2015, 5, 7))
    assert fitted.interval_scale == interval_scale_for(date(2015, 5, 7))  # no earlier night: the H17 rule
    res = replay(target, base, orders=("random",), runs=1, checkpoints=(10,), store=store, notes=fitted.notes,
                 settings=NightSettings(n_sims=50, interval_scale=fitted.interval_scale))
    assert res.interval_scale == fitted.interval_scale
    assert res.to_dict()["interval_scale"] == res.interval_scale
    assert any("rolling-origin" in n for n in res.notes)
    own = replay(target, base, orders=("random",), runs=1, checkpoints=(10,), store=store,
                 settings=NightSettings(n_sims=50, interval_scale=1.2))
    assert own.interval_scale == 1.2
    assert own.checkpoints[0].seat_total_error == res.checkpoints[0].seat_total_error


def test_widening_ramps_in_over_the_first_ten_declarations() -> None:
    from seatcast.night.model import RAMP_DECLARATIONS, ramped_scale

    assert ramped_scale(2.0, 0) == 1.0
    assert ramped_scale(2.0, 5) == 1.5
    assert ramped_scale(2.0, RAMP_DECLARATIONS) == ramped_scale(2.0, 400) == 2.0
    assert min(CALIBRATION_CHECKPOINTS) >= RAMP_DECLARATIONS  # calibrated checkpoints keep their factor


def _trust(name: str, year: int, prior: str, error: tuple[float, float, float],
           cov: float = 0.95) -> TrustRow:
    return TrustRow(name, date(year, 1, 1), prior, error, tuple((cov,) * len(CANDIDATE_SCALES) for _ in error))


def test_trust_is_learned_on_earlier_nights_of_the_same_prior_only() -> None:
    rows = (_trust("a", 2001, "polls", (9.0, 10.0, 12.0)), _trust("b", 2002, "polls", (14.0, 10.0, 9.0)),
            _trust("a", 2001, "exit poll", (5.0, 6.0, 7.0), cov=0.5))
    assert trust_for(date(2001, 1, 1), "polls", rows) == (1.0, None, ())  # nothing earlier: the rule's 1.0
    f, cov, used = trust_for(date(2001, 6, 1), "polls", rows)
    assert (f, used) == (TRUST_FACTORS[0], ("a",)) and cov == (0.95,) * len(CANDIDATE_SCALES)
    # a + b: 23.0 / 20.0 / 21.0 -> 0.5
    assert trust_for(date(2003, 1, 1), "polls", rows)[0] == TRUST_FACTORS[1]
    assert trust_for(date(2003, 1, 1), "exit poll", rows)[0] == TRUST_FACTORS[0]
    tie = (_trust("a", 2001, "polls", (10.0, 10.05, 11.0)),)
    assert trust_for(None, "polls", tie)[0] == TRUST_FACTORS[1]  # within 0.1 seats: the larger factor


def test_no_night_uses_trust_learned_on_itself_or_later() -> None:
    for row in TRUST_SCORES:
        forged = tuple(replace_row(r) if r.held >= row.held else r for r in TRUST_SCORES)
        assert trust_for(row.held, row.prior, forged) == trust_for(row.held, row.prior)
        assert night_fitted(row.held, row.prior).trust == trust_for(row.held, row.prior)[0]


def replace_row(r: TrustRow) -> TrustRow:
    """A row whose figures would choose the other extreme."""
    return dataclasses.replace(r, error=tuple(reversed(r.error)), coverage=tuple(
        (0.0,) * len(CANDIDATE_SCALES) for _ in r.coverage))
