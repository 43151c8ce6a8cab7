"""The in-sample ceiling: exact on data its design can express, and monotone in the design."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seatcast.diagnostics.ceiling import DESIGNS, ceiling
from seatcast.night.model import NightPrior


def _prior(base: np.ndarray, regions: tuple[str, ...]) -> NightPrior:
    n = len(base)
    parties = ("a", "b", "c", "oth")
    top = [parties[j] for j in base[:, :3].argmax(axis=1)]
    return NightPrior(
        seat_ids=tuple(f"S{i}" for i in range(n)), names=tuple(f"Seat {i}" for i in range(n)),
        regions=regions, nations=("England",) * n, parties=parties, base=base, prior=base.copy(),
        stands=np.ones((n, 4), bool), features=np.zeros((n, 0)), feature_names=(), base_winners=tuple(top))


def _base(seed: int, n: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.dirichlet([4.0, 3.0, 2.0, 1.0], size=n)


def test_a_linear_result_is_called_exactly_by_every_design() -> None:
    base = _base(1)
    # a transition matrix: the actual shares are a linear function of the base (what design 0 fits)
    m = np.array([[0.7, 0.1, 0.15, 0.05], [0.2, 0.6, 0.15, 0.05], [0.1, 0.2, 0.6, 0.1], [0.1, 0.1, 0.1, 0.7]])
    actual = base @ m
    parties = ("a", "b", "c", "oth")
    winners = [parties[j] for j in actual[:, :3].argmax(axis=1)]
    rows = ceiling(_prior(base, ("R",) * len(base)), actual, winners, election="toy")
    assert [r.design for r in rows] == list(DESIGNS)
    for r in rows:
        assert r.seats_correct_gb == len(base)
        assert r.seat_total_error_gb == 0
        assert r.share_mae_gb < 1e-6


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_richer_designs_never_fit_worse_in_sample(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = _base(seed)
    actual = np.clip(base + rng.normal(0, 0.05, base.shape), 0, None)
    actual /= actual.sum(axis=1, keepdims=True)
    parties = ("a", "b", "c", "oth")
    winners = [parties[j] for j in actual[:, :3].argmax(axis=1)]
    regions = tuple(rng.choice(["R1", "R2", "R3"], len(base)).tolist())
    prior = _prior(base, regions)
    extra = rng.normal(size=(4, len(base), 2))
    from seatcast.diagnostics import ceiling as mod

    by = rng.normal(size=(4, len(base), 3))
    sse = []
    for build in mod._design_builders(prior, extra, by):
        total = 0.0
        for p in range(4):
            x = build(p)
            coef = np.linalg.lstsq(x, actual[:, p], rcond=None)[0]
            total += float(((x @ coef - actual[:, p]) ** 2).sum())
        sse.append(total)
    nested, with_by = sse[:-1], sse[-1]  # the by-election row nests design 4 only
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(nested))
    assert with_by <= sse[DESIGNS.index("+ incumbency + tactical advice")] + 1e-9
    rows = ceiling(prior, actual, winners, extra=extra, by=by)
    assert all(0 <= r.seats_correct_gb <= len(base) for r in rows)
