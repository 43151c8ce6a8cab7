"""Incumbency estimates use earlier elections only; the backtest runs and scores both variants."""

from __future__ import annotations

import numpy as np

from seatcast.data.store import Store
from seatcast.scenarios.incumbency import estimate_incumbency, independent_cases
from seatcast.scenarios.incumbency_backtest import incumbency_backtest


def test_estimates_respect_the_cutoff(store: Store) -> None:
    e19 = estimate_incumbency(store, before="2019-12-12")
    assert [p.pair for p in e19.pairs] == [("ge2010", "ge2015"), ("ge2015", "ge2017")]
    assert all(c.election in ("ge2010", "ge2015", "ge2017") for c in e19.independent.cases)
    e24 = estimate_incumbency(store, before="2024-07-04")
    assert ("ge2017", "ge2019") in [p.pair for p in e24.pairs]
    assert -0.06 < e19.retire < 0 < e19.stand < 0.02
    assert 0.01 < e19.independent.median < 0.15
    q = e19.independent.quantiles()
    assert q["q05"] < 0.01 and q["q95"] > 0.3  # the spread from a few hundred votes to winning


def test_cases_exclude_sitting_independents(store: Store) -> None:
    cases = independent_cases(store)
    hermon = [c.election for c in cases if c.name == "Sylvia Hermon"]
    assert hermon == ["ge2010"]
    assert {"Dominic Grieve", "David Gauke", "Ivan Lewis", "Chris Williamson", "Jeremy Corbyn"} <= {
        c.name for c in cases}


def test_backtest_runs(store: Store) -> None:
    r = incumbency_backtest("ge2019", store=store, model="uns").to_dict()
    assert r["n_affected"] > 50
    for k in ("without", "with"):
        assert 0 <= r[k]["seats_correct"] <= r["n_affected"] and np.isfinite(r[k]["share_mae"])
    assert r["estimate"]["before"] == "2019-12-12"
