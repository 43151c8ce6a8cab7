"""The compiled path's counter-based normals: the documented arithmetic, the normal distribution, no state."""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest

from conftest import need

M64 = (1 << 64) - 1


@pytest.fixture(scope="module")
def cn() -> ModuleType:
    """The module (it needs numba)."""
    need("numba")
    from seatcast.simulate import counter_normals

    return counter_normals


def _mix(cn: ModuleType, z: int) -> int:
    z = ((z ^ (z >> 30)) * cn.MIX1) & M64
    z = ((z ^ (z >> 27)) * cn.MIX2) & M64
    return z ^ (z >> 31)


def _normal_py(cn: ModuleType, key: int, key2: int, c: int) -> tuple[np.float32, bool]:
    """The module docstring's recipe, in plain Python integers: ``(value, took the rare path)``."""
    k, w, f = (cn.ZIG_K.tolist(), cn.ZIG_W.tolist(), cn.ZIG_F.tolist())
    r = _mix(cn, (key + (c + 1) * cn.GAMMA) & M64)
    state = _mix(cn, (key2 + (c + 1) * cn.GAMMA) & M64)
    rare = False

    def next_double() -> float:
        nonlocal state
        state = (state + cn.GAMMA) & M64
        return (_mix(cn, state) >> 11) * 2.0**-53

    while True:
        idx = r & 0xFF
        s = r >> 8
        neg = bool(s & 1)
        rabs = (s >> 1) & 0x000FFFFFFFFFFFFF
        x = rabs * w[idx]
        x = -x if neg else x
        if rabs < k[idx]:
            return np.float32(x), rare
        rare = True
        if idx == 0:
            while True:
                xx = -math.log1p(-next_double()) / cn.ZIG_R
                yy = -math.log1p(-next_double())
                if yy + yy > xx * xx:
                    return np.float32(-(cn.ZIG_R + xx) if neg else cn.ZIG_R + xx), rare
        if (f[idx - 1] - f[idx]) * next_double() + f[idx] < math.exp(-0.5 * x * x):
            return np.float32(x), rare
        state = (state + cn.GAMMA) & M64
        r = _mix(cn, state)


def test_compiled_normals_are_the_documented_arithmetic_bit_for_bit(cn: ModuleType) -> None:
    keys = cn.run_keys(20240704)
    counters = np.arange(30_000, dtype=np.uint64) * np.uint64(7919) + np.uint64(2**40)
    got = cn.normals(keys, counters)
    rare = 0
    for i, c in enumerate(counters.tolist()):
        value, took = _normal_py(cn, int(keys[0]), int(keys[1]), c)
        assert got[i].tobytes() == value.tobytes(), (i, c)
        rare += took
    assert rare > 100  # the wedges and the tail were exercised too (about 0.7% of draws)


def test_counter_normals_are_standard_normal(cn: ModuleType) -> None:
    from scipy import stats

    out = np.empty((500, 4000), np.float32)
    cn.fill(cn.run_keys(7), 0, 4000, 0, out)
    x = out.ravel().astype(np.float64)
    n = x.size
    assert abs(x.mean()) < 5 / math.sqrt(n)
    assert abs(x.var() - 1) < 5 * math.sqrt(2 / n)
    assert abs(stats.skew(x)) < 5 * math.sqrt(6 / n)
    assert abs(stats.kurtosis(x)) < 5 * math.sqrt(24 / n)
    assert stats.kstest(x, "norm").pvalue > 1e-3
    for t in (1.0, 2.0, 3.0, cn.ZIG_R, 4.0):  # the tail beyond the base strip included
        p = 2 * stats.norm.sf(t)
        assert abs((np.abs(x) > t).mean() - p) < 5 * math.sqrt(p * (1 - p) / n) + 1 / n, t


def test_a_variate_depends_on_its_counter_only(cn: ModuleType) -> None:
    keys = cn.run_keys(3)
    whole = np.empty((40, 300), np.float32)
    cn.fill(keys, 0, 300, 0, whole)
    part = np.empty((7, 100), np.float32)  # rows 13..19, columns 150..249, filled on their own
    cn.fill(keys, 13, 300, 150, part)
    np.testing.assert_array_equal(part, whole[13:20, 150:250])
    flat = cn.normals(keys, np.arange(40 * 300, dtype=np.uint64))
    np.testing.assert_array_equal(flat.reshape(40, 300), whole)


def test_seeds_give_unrelated_variates(cn: ModuleType) -> None:
    a, b = np.empty((50, 200), np.float32), np.empty((50, 200), np.float32)
    cn.fill(cn.run_keys(1), 0, 200, 0, a)
    cn.fill(cn.run_keys(2), 0, 200, 0, b)
    assert abs(np.corrcoef(a.ravel(), b.ravel())[0, 1]) < 5 / math.sqrt(a.size)
    assert not np.array_equal(cn.run_keys(1), cn.run_keys(2))


@pytest.mark.parametrize("lag", [1, 2, 3, 4000])
def test_neighbouring_counters_are_uncorrelated(cn: ModuleType, lag: int) -> None:
    x = cn.normals(cn.run_keys(11), np.arange(400_000, dtype=np.uint64)).astype(np.float64)
    r = np.corrcoef(x[:-lag], x[lag:])[0, 1]
    assert abs(r) < 5 / math.sqrt(len(x))
