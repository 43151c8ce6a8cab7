"""The numpy-only array layer of the simulator: random draws in, share arrays and tallies out.

Nothing here knows seat ids or party codes. Every function works on ``float32`` arrays with a
leading simulation axis ``n``; the engine (:mod:`seatcast.simulate.engine`) feeds them chunks,
and the reference (:mod:`seatcast.simulate.reference`) feeds them one simulation at a time.

Random variates are drawn per simulation as one row of standard normals (:func:`draw`), laid
out as ``[national | nation | region | seat pairs]`` (:class:`Layout`). Because a row belongs to
one simulation and rows are drawn in order, simulation *i* of a block sees the same numbers
however the block is cut into batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Layout:
    """Where each error layer's variates sit in a simulation's row of draws."""

    n_national: int  # correlated national slots + one per party
    n_groups: int
    n_regions: int
    n_parties: int
    n_pairs: int  # (seat, party) pairs that get seat noise

    @property
    def width(self) -> int:
        """Variates per simulation."""
        return self.n_national + (self.n_groups + self.n_regions) * self.n_parties + self.n_pairs

    def split(self, z: F32) -> tuple[F32, F32, F32, F32]:
        """Views ``(national [n, k], nation [n, G, P], region [n, R, P], seat [n, K])`` of ``z``."""
        n = z.shape[0]
        a = self.n_national
        b = a + self.n_groups * self.n_parties
        c = b + self.n_regions * self.n_parties
        return (z[:, :a], z[:, a:b].reshape(n, self.n_groups, self.n_parties),
                z[:, b:c].reshape(n, self.n_regions, self.n_parties), z[:, c:])


def draw(rng: np.random.Generator, n: int, layout: Layout) -> F32:
    """``n`` rows of standard normal variates, float32 (one row per simulation)."""
    return rng.standard_normal((n, layout.width), dtype=np.float32)


def perturb_targets(target: F32, national: F32, nation: F32) -> F32:
    """Group targets ``[G, P]`` moved by log-share errors ``[n, P]`` + ``[n, G, P]``, renormalised.

    Working on log shares keeps every share positive and a party at zero at zero.
    """
    moved = target[None, :, :] * np.exp(national[:, None, :] + nation)
    total = moved.sum(axis=-1, keepdims=True)
    return np.asarray(moved / np.where(total > 0, total, 1), dtype=np.float32)


def add_seat_noise(shares: F32, seat_z: F32, rows: IntArray, cols: IntArray, pair_sd: F32,
                   region_z: F32, seat_region: IntArray, region_sd: float) -> F32:
    """Add region and seat noise to ``shares [n, S, P]`` and renormalise each seat.

    The noise on a share ``s`` is ``sqrt(s (1 - s)) * (region_sd * z_region + sd_pair * z_seat)``:
    binomial-like, so a party with nothing stays at nothing and a big party moves most in points.
    """
    n, s_n, p_n = shares.shape
    noise = np.zeros((n, s_n * p_n), dtype=np.float32)
    noise[:, rows * p_n + cols] = seat_z * pair_sd  # each (seat, party) pair once
    noise = noise.reshape(n, s_n, p_n)
    noise += np.take(region_z * np.float32(region_sd), seat_region, axis=1)
    scale = np.sqrt(np.clip(shares * (1 - shares), 0, None))
    out = np.maximum(shares + scale * noise, 0).astype(np.float32)
    total = out.sum(axis=-1, keepdims=True)
    return np.asarray(np.where(total > 0, out / np.where(total > 0, total, 1), shares), dtype=np.float32)


def winners(shares: F32, oth_col: int | None) -> IntArray:
    """Winning column per ``[n, S]`` (the pooled ``oth`` column never wins)."""
    if oth_col is None:
        return np.asarray(shares.argmax(axis=-1), dtype=np.intp)
    masked = shares.copy()
    masked[..., oth_col] = -1.0
    return np.asarray(masked.argmax(axis=-1), dtype=np.intp)


@dataclass
class Tally:
    """Integer accumulators of a batch of simulations: they add up exactly in any order."""

    n: int
    win_counts: npt.NDArray[np.int64]  # [S, P]
    seat_hist: npt.NDArray[np.int64]  # [P, S + 1]
    majority: npt.NDArray[np.int64]  # [P]
    largest: npt.NDArray[np.int64]  # [P]
    hung: int
    share_q: npt.NDArray[np.int64]  # [S, P] shares summed in fixed point (SHARE_Q)

    def __iadd__(self, other: Tally) -> Tally:
        self.n += other.n
        self.win_counts += other.win_counts
        self.seat_hist += other.seat_hist
        self.majority += other.majority
        self.largest += other.largest
        self.hung += other.hung
        self.share_q += other.share_q
        return self

    @classmethod
    def zeros(cls, n_seats: int, n_parties: int) -> Tally:
        """An empty tally."""
        return cls(0, np.zeros((n_seats, n_parties), np.int64), np.zeros((n_parties, n_seats + 1), np.int64),
                   np.zeros(n_parties, np.int64), np.zeros(n_parties, np.int64), 0,
                   np.zeros((n_seats, n_parties), np.int64))


#: Fixed-point scale of summed shares: integer sums are exact, so the mean does not depend on
#: how simulations were batched or which worker ran them.
SHARE_Q = float(2**24)


def tally(shares: F32, win: IntArray, n_parties: int) -> Tally:
    """Accumulate one batch: wins per seat, seat-total histograms, majorities, mean shares."""
    n, s = win.shape
    onehot_totals = np.stack([(win == p).sum(axis=1) for p in range(n_parties)], axis=1)  # [n, P]
    win_counts = np.stack([(win == p).sum(axis=0) for p in range(n_parties)], axis=1).astype(np.int64)
    hist = np.stack([np.bincount(onehot_totals[:, p], minlength=s + 1) for p in range(n_parties)]).astype(np.int64)
    need = s // 2 + 1
    has_majority = onehot_totals >= need
    largest = np.bincount(onehot_totals.argmax(axis=1), minlength=n_parties).astype(np.int64)
    q = np.rint(shares * np.float32(SHARE_Q)).astype(np.int32).sum(axis=0, dtype=np.int64)
    return Tally(n=n, win_counts=win_counts, seat_hist=hist, majority=has_majority.sum(axis=0).astype(np.int64),
                 largest=largest, hung=int((~has_majority.any(axis=1)).sum()), share_q=q)


def hist_quantile(hist: npt.NDArray[np.int64], q: float) -> int:
    """The smallest seat count whose cumulative frequency reaches ``q`` (a histogram's quantile)."""
    cum = np.cumsum(hist)
    return int(np.searchsorted(cum, q * cum[-1], side="left"))
