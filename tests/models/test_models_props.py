"""Property tests of the swing kernels (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from seatcast.models import MODELS, SwingContext


@st.composite
def elections(draw: st.DrawFn) -> tuple[SwingContext, np.ndarray]:
    seats = draw(st.integers(2, 12))
    parties = draw(st.integers(2, 5))
    groups = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    base = rng.dirichlet(np.ones(parties), size=seats)
    group = rng.integers(0, groups, size=seats).astype(np.intp)
    group[:groups] = np.arange(groups)
    weights = rng.uniform(0.5, 2.0, size=seats)
    target = rng.dirichlet(np.ones(parties), size=groups)
    c = SwingContext(base=base, group=group, weights=weights, stands=np.ones_like(base, dtype=bool), n_groups=groups)
    return c, target


@given(elections(), st.sampled_from(sorted(MODELS)))
def test_shares_valid(case: tuple[SwingContext, np.ndarray], name: str) -> None:
    c, target = case
    out = MODELS[name].kernel(c, target)
    assert (out >= 0).all()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, atol=1e-9)


@given(elections(), st.sampled_from(sorted(MODELS)))
def test_base_national_returns_base(case: tuple[SwingContext, np.ndarray], name: str) -> None:
    c, _ = case
    out = MODELS[name].kernel(c, c.base_national)
    np.testing.assert_array_equal(out.argmax(axis=-1), c.base.argmax(axis=-1))


@given(elections(), st.sampled_from(["uns", "proportional"]), st.floats(0.001, 0.3), st.integers(0, 4))
def test_raising_a_party_never_costs_it_seats(case: tuple[SwingContext, np.ndarray], name: str,
                                              delta: float, k: int) -> None:
    c, target = case
    k = k % target.shape[1]
    raised = target.copy()
    room = 1 - raised[:, k]
    d = np.minimum(delta, room * 0.999)
    others = np.ones(target.shape[1], bool)
    others[k] = False
    raised[:, others] *= ((room - d) / room)[:, None]
    raised[:, k] += d
    before = (MODELS[name].kernel(c, target).argmax(axis=-1) == k).sum()
    after = (MODELS[name].kernel(c, raised).argmax(axis=-1) == k).sum()
    assert after >= before


@given(elections(), st.sampled_from(sorted(MODELS)))
def test_relabelling_parties_changes_nothing(case: tuple[SwingContext, np.ndarray], name: str) -> None:
    c, target = case
    perm = np.arange(target.shape[1])[::-1]
    c2 = SwingContext(base=c.base[:, perm], group=c.group, weights=c.weights, stands=c.stands[:, perm],
                      n_groups=c.n_groups)
    out = MODELS[name].kernel(c, target)
    out2 = MODELS[name].kernel(c2, target[:, perm])
    np.testing.assert_allclose(out2, out[:, perm], atol=1e-12)
