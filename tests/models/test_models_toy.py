"""The three swing models on a toy three-seat election worked by hand.

Three seats of equal size, parties A, B, C::

    seat 1: A .50  B .30  C .20
    seat 2: A .25  B .55  C .20
    seat 3: A .20  B .10  C .70      national: A .31667  B .31667  C .36667

Target: A +10 points (.41667), B -10 (.21667), C unchanged.

* UNS: every seat A +.10, B -.10; seat 3's B clips at 0 -> (.60 .20 .20), (.35 .45 .20), (.30 0 .70).
* Proportional: A x 1.315789, B x 0.684211, renormalised -> seat 1 (.618812 .193069 .188119).
* Transition (tau = .2): B's weak support is (.2 .2 .1), mean W = .16667; B loses .1 = 60% of it:
  (.12 .12 .06) points, all to A -> (.62 .18 .20), (.37 .43 .20), (.26 .04 .70).
"""

from __future__ import annotations

import numpy as np
import pytest

from seatcast.models import MODELS, SwingContext

BASE = np.array([[0.50, 0.30, 0.20], [0.25, 0.55, 0.20], [0.20, 0.10, 0.70]])
TARGET = np.array([[0.41666667, 0.21666667, 0.36666667]])


def ctx() -> SwingContext:
    return SwingContext(base=BASE, group=np.zeros(3, dtype=np.intp), weights=np.ones(3),
                        stands=np.ones_like(BASE, dtype=bool), n_groups=1)


def test_uniform_by_hand() -> None:
    out = MODELS["uns"].kernel(ctx(), TARGET)
    np.testing.assert_allclose(out, [[0.60, 0.20, 0.20], [0.35, 0.45, 0.20], [0.30, 0.0, 0.70]], atol=1e-6)


def test_proportional_by_hand() -> None:
    out = MODELS["proportional"].kernel(ctx(), TARGET)
    np.testing.assert_allclose(out[0], [0.618812, 0.193069, 0.188119], atol=1e-5)
    assert out[2].argmax() == 2


def test_transition_by_hand() -> None:
    out = MODELS["transition"].kernel(ctx(), TARGET)
    np.testing.assert_allclose(out, [[0.62, 0.18, 0.20], [0.37, 0.43, 0.20], [0.26, 0.04, 0.70]], atol=1e-6)
    # Group totals hit the target exactly when everyone stands everywhere.
    np.testing.assert_allclose(out.mean(axis=0), TARGET[0], atol=1e-6)


@pytest.mark.parametrize("name", list(MODELS))
def test_zero_change_returns_base(name: str) -> None:
    c = ctx()
    out = MODELS[name].kernel(c, c.base_national)
    np.testing.assert_allclose(out, BASE, atol=1e-12)


@pytest.mark.parametrize("name", list(MODELS))
def test_batched_float32(name: str) -> None:
    """Kernels broadcast over leading axes (the simulator's) and keep float32."""
    targets = np.stack([TARGET, ctx().base_national]).astype(np.float32)
    out = MODELS[name].kernel(ctx(), targets)
    assert out.shape == (2, 3, 3)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0], MODELS[name].kernel(ctx(), TARGET), atol=1e-5)
