"""Standard normals by counter: variate *c* of a run is a function of the run's key and *c* alone.

The compiled path (:mod:`.accel`) draws its variates here instead of from numpy's PCG64 stream.
Why: a stream has to be walked in order, so a batch's variates must be drawn into memory before
the loop that uses them (a megabyte per batch, written once and read once, transposed for the
lanes); a counter-based generator is computed where it is used, inside the loop, in any order.
And it keeps what the engine promises: simulation *i*'s variates depend on the seed and *i*
only, never on batches, chunks, workers or a Dask cluster.

**The uniform bits** are SplitMix64 (Steele, Lea and Flood, 2014) read at position *c*:
``mix(key + (c + 1) * GAMMA)``, where ``mix`` is its 64-bit finaliser (David Stafford's
variant 13). Read at consecutive positions this *is* the SplitMix64 sequence seeded with ``key``,
which passes TestU01's BigCrush; random access costs the same as stepping. ``key`` comes from the
run's ``SeedSequence`` entropy, so different seeds give unrelated sequences (two seeds' ranges
would need to overlap within 2^64 positions; a run uses at most 10^7 x 5,000).

**Normals** are Marsaglia and Tsang's ziggurat with 256 layers (as numpy's legacy generator
draws float64 normals): one 64-bit word gives the layer (8 bits), the sign (1) and a 52-bit
magnitude; 99.3% of draws end with one multiply and one comparison. The rest (the wedges, and
the tail beyond r = 3.654) take more uniforms from a SplitMix64 stream of their own, seeded by
``mix(key2 + (c + 1) * GAMMA)``, so even a rejected draw depends on (key, c) only. The value is
computed in float64 and rounded to float32, the engine's type.

Cost here: about 2 ns a variate, against 5 ns for numpy's float32 uniforms plus Box-Muller, and
no memory traffic. The tests check the distribution (moments, tails, a Kolmogorov-Smirnov
test) and that a pure-Python transcription of the same arithmetic gives the same bits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

try:
    from numba import njit
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("counter-based normals need the optional extra 'accel': pip install 'seatcast[accel]'") from exc

#: SplitMix64's increment (the golden ratio in 64 bits) and its finaliser's multipliers.
GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
MASK64 = (1 << 64) - 1
#: The ziggurat's base strip starts here (Marsaglia and Tsang, 256 layers).
ZIG_R = 3.6541528853610088
ZIG_V = 0.00492867323399  # the area of each layer


def ziggurat_tables() -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(k, w, f)``: per layer, the accept bound (52-bit), the width scale and the density at its edge.

    Marsaglia and Tsang's set-up (``zigset``) for a 52-bit magnitude: layer 0 is the base strip
    (with the tail), layers 1 .. 255 run from the top (narrowest) down. A magnitude ``m`` in layer
    ``i`` gives ``x = m w[i]``, accepted outright when ``m < k[i]`` (``x`` inside the layer above).
    """
    m1 = 2.0**52
    k = np.zeros(256, np.uint64)
    w = np.zeros(256, np.float64)
    f = np.zeros(256, np.float64)
    dn = tn = ZIG_R
    q = ZIG_V / math.exp(-0.5 * dn * dn)
    k[0] = np.uint64(int(dn / q * m1))
    k[1] = np.uint64(0)
    w[0] = q / m1
    w[255] = dn / m1
    f[0] = 1.0
    f[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(ZIG_V / dn + math.exp(-0.5 * dn * dn)))
        k[i + 1] = np.uint64(int(dn / tn * m1))
        tn = dn
        f[i] = math.exp(-0.5 * dn * dn)
        w[i] = dn / m1
    return k, w, f


ZIG_K, ZIG_W, ZIG_F = ziggurat_tables()


def run_keys(entropy: int) -> npt.NDArray[np.uint64]:
    """The two 64-bit keys of a run (the fast words, the rejection streams) from its seed entropy."""
    keys: npt.NDArray[np.uint64] = np.asarray(
        np.random.SeedSequence(entropy, spawn_key=(2**32 - 1,)).generate_state(2, np.uint64), dtype=np.uint64)
    return keys


_U = np.uint64
# The constants as numpy scalars: numba then keeps every operation in unsigned 64-bit registers
# (``np.uint64(GAMMA)`` written inside a compiled function costs ten times the arithmetic).
_GAMMA, _MIX1, _MIX2 = _U(GAMMA), _U(MIX1), _U(MIX2)
_S8, _S11, _S27, _S30, _S31, _ONE, _ZERO = _U(8), _U(11), _U(27), _U(30), _U(31), _U(1), _U(0)
_BYTE, _MAG = _U(0xFF), _U(0x000FFFFFFFFFFFFF)


@njit(cache=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _mix(z: Any) -> Any:  # pragma: no cover - compiled
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _slow(key2: Any, c: Any, r: Any) -> Any:  # pragma: no cover - compiled
    """The ziggurat's rare path for word ``r`` of counter ``c``: a wedge or the tail, then fresh words."""
    kt, wt, ft = ZIG_K, ZIG_W, ZIG_F
    state = _mix(key2 + (c + _ONE) * _GAMMA)
    scale = 1.0 / 9007199254740992.0  # 2**-53
    while True:
        idx = np.intp(r & _BYTE)
        r = r >> _S8
        neg = (r & _ONE) != _ZERO
        rabs = (r >> _ONE) & _MAG
        x = np.float64(rabs) * wt[idx]
        if neg:
            x = -x
        if rabs < kt[idx]:
            return x
        if idx == 0:  # the tail beyond ZIG_R
            while True:
                state += _GAMMA
                u1 = np.float64(_mix(state) >> _S11) * scale
                state += _GAMMA
                u2 = np.float64(_mix(state) >> _S11) * scale
                xx = -np.log1p(-u1) / ZIG_R
                yy = -np.log1p(-u2)
                if yy + yy > xx * xx:
                    return -(ZIG_R + xx) if neg else ZIG_R + xx
        state += _GAMMA
        u = np.float64(_mix(state) >> _S11) * scale
        if (ft[idx - 1] - ft[idx]) * u + ft[idx] < np.exp(-0.5 * x * x):
            return x
        state += _GAMMA
        r = _mix(state)


@njit(cache=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def normal_at(key: Any, key2: Any, c: Any) -> Any:  # pragma: no cover - compiled
    """Standard normal number ``c`` (an unsigned 64-bit counter) of the run keyed ``(key, key2)``, as float32."""
    kt, wt = ZIG_K, ZIG_W
    r = _mix(key + (c + _ONE) * _GAMMA)
    idx = np.intp(r & _BYTE)
    s = r >> _S8
    rabs = (s >> _ONE) & _MAG
    if rabs < kt[idx]:
        x = np.float64(rabs) * wt[idx]
        return np.float32(-x if (s & _ONE) != _ZERO else x)
    return np.float32(_slow(key2, c, r))


@njit(cache=True, nogil=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _fill(keys: Any, first: int, width: int, lo: int, out: Any) -> None:  # pragma: no cover - compiled
    key, key2 = keys[0], keys[1]
    for i in range(out.shape[0]):
        row = _U(first + i) * _U(width)
        for j in range(out.shape[1]):
            out[i, j] = normal_at(key, key2, row + _U(lo + j))


def fill(keys: npt.NDArray[np.uint64], first: int, width: int, lo: int, out: npt.NDArray[np.float32]) -> None:
    """``out[i, j]`` = normal ``(first + i) * width + lo + j``: rows are simulations, ``width`` variates each."""
    _fill(keys, first, width, lo, out)


def normals(keys: npt.NDArray[np.uint64], counters: npt.NDArray[np.uint64]) -> npt.NDArray[np.float32]:
    """The normals at the given counters (for tests and checks)."""
    out: npt.NDArray[np.float32] = np.empty(len(counters), np.float32)
    _at(keys, np.ascontiguousarray(counters, dtype=np.uint64), out)
    return out


@njit(cache=True)  # type: ignore[misc, untyped-decorator, unused-ignore]
def _at(keys: Any, counters: Any, out: Any) -> None:  # pragma: no cover - compiled
    for i in range(counters.shape[0]):
        out[i] = normal_at(keys[0], keys[1], counters[i])
