"""The opt-in ``realign`` group: constant Brexit-era trends, earned by time-series CV, off by default."""

from __future__ import annotations

from datetime import date

import numpy as np

from seatcast.data.store import Store
from seatcast.fit.covariate import fit_covariate
from seatcast.models.covariate.features import (
    FEATURES,
    GROUPS,
    OPTIONAL_GROUPS,
    feature_mask,
    seat_realign,
)


def test_cov_realign_is_opt_in_and_constant() -> None:
    assert "realign" in OPTIONAL_GROUPS and "realign" not in GROUPS
    cols = [f for f, on in zip(FEATURES, feature_mask(("realign",)), strict=True) if on]
    assert [f.name for f in cols] == ["leave_trend", "fulltime_students_trend"]
    # Constants in share points: a Labour trend that flips with Labour's national change
    # (up in 2017, down in 2019) would not be, and the driver features lost it for that reason.
    assert all(f.driver is None for f in cols)


def test_cov_realign_covariates_cover_both_boundary_sets() -> None:
    for ids, b in ((["E14000530", "S14000001"], "2010"), (["E14001063", "S14000021"], "2024")):
        x = seat_realign(ids, b)
        assert x.shape == (2, 2) and np.isfinite(x).all()
        assert np.all((x > 0) & (x < 1))


def test_cov_realign_learns_labours_trend_from_earlier_pairs(store: Store) -> None:
    groups = (*GROUPS, "realign")
    assert fit_covariate(store, date(2017, 6, 8), groups).selected == ()  # one pair: nothing validated
    fitted = fit_covariate(store, date(2019, 12, 12), groups)
    assert "realign" in fitted.selected
    coef = fitted.to_dict()["coef"]
    assert isinstance(coef, dict)
    # Labour fell back in Leave seats and rose in student seats in 2010->2015 and 2015->2017.
    assert coef["lab"]["leave_trend"] < 0 < coef["lab"]["fulltime_students_trend"]
    # The default model is unchanged by the opt-in group.
    assert "realign" not in fit_covariate(store, date(2019, 12, 12)).selected
