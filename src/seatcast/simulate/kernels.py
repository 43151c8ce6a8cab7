"""The numpy-only array layer of the simulator: random draws in, share arrays and tallies out.

Nothing here knows seat ids or party codes. Every function works on ``float32`` arrays with a
leading simulation axis ``n``; the engine (:mod:`seatcast.simulate.engine`) feeds them batches,
and the reference (:mod:`seatcast.simulate.reference`) feeds them one simulation at a time.

Random variates are drawn per simulation as one row of standard normals (:func:`draw`), laid
out as ``[national | nation | region | seat pairs]`` (:class:`Layout`). Because a row belongs to
one simulation and rows are drawn in order, simulation *i* of a block sees the same numbers
however the block is cut into batches.

**Compact layout.** A seat's shares can only be non-zero for the parties standing there (every
swing model keeps the others at zero, and the seat noise is proportional to ``sqrt(s (1 - s))``),
so the hot loop never touches the other columns of ``[n, seats, parties]``. Seats are put in
:class:`Bucket` s by how many parties stand (and whether ``oth`` does); a bucket's shares are a
dense ``[n, k, seats_in_bucket]`` array, slot-major, so per-seat sums and maxima are ``k``
contiguous planes added together. About 5.8 parties stand per seat against 17 columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.intp]
TWO_PI = np.float32(2 * np.pi)


@dataclass(frozen=True)
class Layout:
    """Where each error layer's variates sit in a simulation's row of draws."""

    n_national: int  # correlated national slots + one per party
    n_groups: int
    n_regions: int
    n_parties: int
    n_pairs: int  # (seat, party) pairs that get seat noise

    @property
    def used(self) -> int:
        """Variates per simulation that feed the model."""
        return self.n_national + (self.n_groups + self.n_regions) * self.n_parties + self.n_pairs

    @property
    def width(self) -> int:
        """Variates drawn per simulation: :attr:`used`, rounded up to even (Box-Muller makes pairs)."""
        return self.used + self.used % 2

    def split(self, z: F32) -> tuple[F32, F32, F32, F32]:
        """Views ``(national [n, k], nation [n, G, P], region [n, R, P], seat [n, K])`` of ``z``."""
        n = z.shape[0]
        a = self.n_national
        b = a + self.n_groups * self.n_parties
        c = b + self.n_regions * self.n_parties
        return (z[:, :a], z[:, a:b].reshape(n, self.n_groups, self.n_parties),
                z[:, b:c].reshape(n, self.n_regions, self.n_parties), z[:, c:self.used])


def normals(rng: np.random.Generator, out: F32, scratch: F32 | None = None) -> F32:
    """Fill ``out [n, W]`` (``W`` even) with standard normals, each row from ``W`` uniforms.

    Box-Muller on the generator's float32 uniforms: the first half of a row holds
    ``r cos(2 pi u2)``, the second ``r sin(2 pi u2)``, with ``r = sqrt(-2 log(1 - u1))``. It is
    about three times faster than the ziggurat for float32 (vectorised log/sin/cos against a
    scalar loop), and a row depends only on its own uniforms, so batching cannot change it.
    ``scratch`` (``[>= n, W / 2]``) avoids an allocation per call.
    """
    n, w = out.shape
    h = w // 2
    rng.random(dtype=np.float32, out=out)
    u1, u2 = out[:, :h], out[:, h:]
    angle = np.empty((n, h), np.float32) if scratch is None else scratch[:n]
    np.multiply(u2, TWO_PI, out=angle)
    np.subtract(np.float32(1), u1, out=u1)  # in (0, 1]: log is finite
    np.log(u1, out=u1)
    u1 *= np.float32(-2)
    np.sqrt(u1, out=u1)
    np.sin(angle, out=u2)
    u2 *= u1
    np.cos(angle, out=angle)
    u1 *= angle
    return out


def draw(rng: np.random.Generator, n: int, layout: Layout) -> F32:
    """``n`` rows of standard normal variates, float32 (one row per simulation, see :func:`normals`)."""
    return normals(rng, np.empty((n, layout.width), np.float32))


def perturb_targets(target: F32, national: F32, nation: F32) -> F32:
    """Group targets ``[G, P]`` moved by log-share errors ``[n, P]`` + ``[n, G, P]``, renormalised.

    Working on log shares keeps every share positive and a party at zero at zero.
    """
    moved = target[None, :, :] * np.exp(national[:, None, :] + nation)
    total = moved.sum(axis=-1, keepdims=True)
    return np.asarray(moved / np.where(total > 0, total, 1), dtype=np.float32)


# ---- compact layout --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Bucket:
    """Seats with the same parties-standing count, as slot-major ``[k, m]`` arrays (``m`` seats).

    Slots ``0 .. n_contenders - 1`` hold the parties that can win, in column order; ``oth``, if it
    stands, is the last slot. Index arrays are flattened slot-major (``[k * m]``).
    """

    seats: IntArray  # [m] rows of the full seat axis
    cols: IntArray  # [k, m] party column of each slot
    n_contenders: int
    offset: int  # first of the bucket's variates within the seat-noise part of a row
    base: F32  # [k, m] base shares (held seats: the base result)
    sd: F32  # [k, m] seat-noise size of each pair
    target_idx: IntArray  # [k * m] into [G * P + 1] per-group values; the last entry is the held seats' pad
    region_idx: IntArray  # [k * m] into [R * P] per-region values
    flat_idx: IntArray  # [k * m] seat * P + col, into a flattened [S, P]

    @property
    def k(self) -> int:
        """Slots per seat."""
        return int(self.cols.shape[0])

    @property
    def m(self) -> int:
        """Seats in the bucket."""
        return int(self.cols.shape[1])

    @property
    def size(self) -> int:
        """Pairs in the bucket."""
        return self.k * self.m


def build_buckets(standing: npt.NDArray[np.bool_], oth_col: int | None, sd: F32, base: F32,
                  seat_group: IntArray, seat_region: IntArray, n_groups: int) -> tuple[Bucket, ...]:
    """Group seats by ``(contenders, oth stands)``; ``seat_group`` is -1 for seats held at the base."""
    s_n, p_n = standing.shape
    is_oth = np.zeros(p_n, bool)
    if oth_col is not None:
        is_oth[oth_col] = True
    contenders = standing & ~is_oth
    n_c = contenders.sum(axis=1)
    has_oth = standing[:, oth_col] if oth_col is not None else np.zeros(s_n, bool)
    out, offset = [], 0
    for kc, ho in sorted({(int(a), bool(b)) for a, b in zip(n_c, has_oth, strict=True)}):
        seats = np.flatnonzero((n_c == kc) & (has_oth == ho)).astype(np.intp)
        m = len(seats)
        _, c = np.nonzero(contenders[seats])  # row-major: each seat's kc columns in order
        cols = c.reshape(m, kc).T if kc else np.zeros((0, m), np.intp)
        if ho:
            cols = np.vstack([cols, np.full((1, m), oth_col, np.intp)])
        cols = cols.astype(np.intp)
        g = seat_group[seats][None, :]
        target_idx = np.where(g >= 0, g * p_n + cols, n_groups * p_n).ravel()
        out.append(Bucket(
            seats=seats, cols=cols, n_contenders=kc, offset=offset,
            base=np.ascontiguousarray(base[seats[None, :], cols], dtype=np.float32),
            sd=np.ascontiguousarray(sd[seats[None, :], cols], dtype=np.float32),
            target_idx=target_idx.astype(np.intp),
            region_idx=(seat_region[seats][None, :] * p_n + cols).ravel().astype(np.intp),
            flat_idx=(seats[None, :] * p_n + cols).ravel().astype(np.intp),
        ))
        offset += cols.size
    return tuple(out)


def gather(values: F32, idx: IntArray, out: F32) -> F32:
    """``out[n, k, m] = values[n, idx]`` (``values`` flattened per simulation), without a temporary."""
    n = out.shape[0]
    np.take(values, idx, axis=1, out=out.reshape(n, -1), mode="wrap")  # "wrap": unbuffered
    return out


def seat_sum(x: F32, total: F32) -> F32:
    """``total[n, m] = x[:, 0] + x[:, 1] + ...``, added in slot order.

    Spelled out because ``np.sum(axis=1)`` switches to pairwise summation for some shapes, which
    would make the last bit depend on the bucket's size (and differ from :mod:`.accel`).
    """
    np.copyto(total, x[:, 0])
    for j in range(1, x.shape[1]):
        total += x[:, j]
    return total


def renormalise(x: F32, total: F32) -> bool:
    """Scale each seat of ``x [n, k, m]`` to sum to 1 in place; False (and ``x`` kept) if a seat is empty."""
    seat_sum(x, total)
    if not total.min(initial=np.inf) > 0:
        return False
    x /= total[:, None, :]
    return True


def renormalise_or(x: F32, total: F32, fallback: F32) -> F32:
    """:func:`renormalise`, where a seat left with nothing takes ``fallback`` (``[k, m]`` or ``[n, k, m]``)."""
    if renormalise(x, total):
        return x
    empty = total <= 0
    safe = np.where(empty, np.float32(1), total)
    np.divide(x, safe[:, None, :], out=x)
    np.copyto(x, np.broadcast_to(fallback, x.shape), where=empty[:, None, :])
    return x


def seat_noise(x: F32, seat_z: F32, region_z: F32, b: Bucket, noise: F32, scale: F32) -> F32:
    """Add region and seat noise to the shares ``x [n, k, m]`` in place (before renormalising).

    The noise on a share ``s`` is ``sqrt(s (1 - s)) * (sd_pair * z_seat + z_region)``, with
    ``region_z`` already multiplied by the region size: binomial-like, so a party with nothing
    stays at nothing and a big party moves most in points. Negative results are clipped to 0.
    ``noise`` and ``scale`` are scratch arrays shaped like ``x``.
    """
    n = x.shape[0]
    np.multiply(seat_z.reshape(n, b.k, b.m), b.sd, out=noise)
    noise += gather(region_z, b.region_idx, scale)
    np.subtract(np.float32(1), x, out=scale)
    scale *= x
    np.sqrt(scale, out=scale)
    scale *= noise
    x += scale
    np.maximum(x, np.float32(0), out=x)
    return x


def slot_winners(x: F32, b: Bucket, out: IntArray, best: F32, gain: npt.NDArray[np.bool_]) -> IntArray:
    """Winning pair per ``[n, m]``, as its position ``slot * m + seat`` in the bucket's ``[k * m]``.

    A running maximum over the contender slots (first on a tie, as ``argmax``): the slot axis
    is short and strided, where ``argmax`` is slow. ``best`` and ``gain`` are ``[n, m]`` scratch.
    """
    seat = np.arange(b.m)
    out[...] = seat
    if b.n_contenders <= 1:
        return out
    np.copyto(best, x[:, 0])
    for j in range(1, b.n_contenders):
        np.greater(x[:, j], best, out=gain)
        np.maximum(best, x[:, j], out=best)
        np.copyto(out, seat + j * b.m, where=gain)
    return out


# ---- tallies ---------------------------------------------------------------------------------

@dataclass
class Tally:
    """Integer accumulators of a batch of simulations: they add up exactly in any order."""

    n: int
    win_counts: npt.NDArray[np.int64]  # [S, P]
    seat_hist: npt.NDArray[np.int64]  # [P, S + 1]: how many simulations gave the party k seats
    majority: npt.NDArray[np.int64]  # [P]
    largest: npt.NDArray[np.int64]  # [P] (ties: the first party in column order)
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

    def add_totals(self, totals: npt.NDArray[np.intp]) -> None:
        """Count the seat totals ``[n, P]`` of a batch: histograms, majorities, largest party, hung."""
        n, p_n = totals.shape
        s1 = self.seat_hist.shape[1]
        self.n += n
        self.seat_hist += np.bincount((totals + np.arange(p_n) * s1).ravel(), minlength=p_n * s1).reshape(p_n, s1)
        has_majority = totals >= (s1 - 1) // 2 + 1
        self.majority += has_majority.sum(axis=0)
        self.largest += np.bincount(totals.argmax(axis=1), minlength=p_n)
        self.hung += int(n - has_majority.any(axis=1).sum())


#: Fixed-point scale of summed shares: integer sums are exact, so the mean does not depend on
#: how simulations were batched or which worker ran them.
SHARE_Q = float(2**24)
_Q32 = np.float32(SHARE_Q)


def quantised_sum(x: F32, scratch: F32) -> npt.NDArray[np.int64]:
    """``sum over n of rint(x * SHARE_Q)``: exact (integers below 2**53 in float64), any order."""
    np.multiply(x, _Q32, out=scratch)
    np.rint(scratch, out=scratch)
    return np.asarray(scratch.sum(axis=0, dtype=np.float64), dtype=np.int64)


class CompactTally:
    """Accumulates buckets' slot winners and shares; :meth:`to_tally` maps them to ``[S, P]``."""

    def __init__(self, buckets: tuple[Bucket, ...], n_seats: int, n_parties: int) -> None:
        """Empty accumulators for ``buckets`` of a ``n_seats`` x ``n_parties`` setup."""
        self.buckets = buckets
        self.n_seats, self.n_parties = n_seats, n_parties
        self.wins = [np.zeros(b.size, np.int64) for b in buckets]
        self.share_q = [np.zeros(b.size, np.int64) for b in buckets]
        self.party = [b.cols.ravel() for b in buckets]
        self.head = Tally.zeros(n_seats, n_parties)

    def add(self, i: int, x: F32, key: IntArray, scratch: F32, totals: npt.NDArray[np.intp]) -> None:
        """Add bucket ``i``'s batch: shares ``x [n, k, m]``, winners ``key`` (:func:`slot_winners`); totals ``+=``."""
        b = self.buckets[i]
        n = x.shape[0]
        self.wins[i] += np.bincount(key.ravel(), minlength=b.size)
        party = self.party[i][key]
        party += (np.arange(n) * self.n_parties)[:, None]
        totals += np.bincount(party.ravel(), minlength=n * self.n_parties).reshape(n, self.n_parties)
        self.share_q[i] += quantised_sum(x, scratch).ravel()

    def to_tally(self) -> Tally:
        """The accumulated simulations as a :class:`Tally` on the full ``[S, P]`` axes."""
        t = self.head
        for b, w, q in zip(self.buckets, self.wins, self.share_q, strict=True):
            t.win_counts.ravel()[b.flat_idx] += w
            t.share_q.ravel()[b.flat_idx] += q
        return t


def winners(shares: F32, oth_col: int | None) -> IntArray:
    """Winning column per ``[n, S]`` of full-layout shares (the pooled ``oth`` column never wins)."""
    if oth_col is None:
        return np.asarray(shares.argmax(axis=-1), dtype=np.intp)
    masked = shares.copy()
    masked[..., oth_col] = -1.0
    return np.asarray(masked.argmax(axis=-1), dtype=np.intp)


def tally(shares: F32, win: IntArray, n_parties: int) -> Tally:
    """Accumulate one full-layout batch (``[n, S, P]``, after scenario steps)."""
    n, s = win.shape
    t = Tally.zeros(s, n_parties)
    t.win_counts += np.bincount((np.arange(s) * n_parties + win).ravel(), minlength=s * n_parties).reshape(s, -1)
    totals = np.bincount((win + (np.arange(n) * n_parties)[:, None]).ravel(),
                         minlength=n * n_parties).reshape(n, n_parties)
    t.add_totals(totals)
    t.share_q += quantised_sum(shares, np.empty_like(shares))
    return t


def hist_quantile(hist: npt.NDArray[np.int64], q: float) -> int:
    """The smallest seat count whose cumulative frequency reaches ``q`` (a histogram's quantile)."""
    cum = np.cumsum(hist)
    return int(np.searchsorted(cum, q * cum[-1], side="left"))
