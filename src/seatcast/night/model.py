r"""The election-night model: what the declared seats say about the undeclared ones.

Pure numpy. Before the night there is a prior: projected shares :math:`Q_{ip}` for every seat *i*
and party *p* (the pre-election forecast). Each declared seat shows its departure from the prior,
:math:`y_{ip} = A_{ip} - Q_{ip}`. The model explains it, party by party, by what is known of
every seat beforehand, as a hierarchical (random-effects) regression:

.. math:: y_{ip} = \mu_p + \rho_{r(i)p} + \gamma_{c(i)p} + z_i^\top\beta_p + o_{ip}^\top\omega_p
          + \varepsilon_{ip}

* :math:`\mu_p`: the national departure (the polls' miss), prior sd ``prior_sd_intercept``;
* :math:`\rho_{rp}`: one effect per nation or English region (raw 0/1 dummies), prior sd
  ``prior_sd_region``;
* :math:`\gamma_{cp}`: one effect per *contest type* :math:`c(i)`, the base winner and runner-up
  (``con-lab``, ``lab-con``, ``con-ld``...; types with fewer than ``contest_min_seats`` seats are
  pooled), prior sd ``prior_sd_contest``;
* :math:`z_i`: the standardised seat features of :mod:`seatcast.night.features` (base shares,
  turnout, Leave share, census), prior sd ``prior_sd_slope`` each;
* :math:`o_{ip}`: the party's own standing at the base (its standardised base share, and whether
  it won or came second), prior sd ``prior_sd_own``: a party can gain most where it was the
  challenger (tactical voting) or fall most where it was strong. Optional extra own columns
  (incumbency, tactical advice: :mod:`seatcast.night.groups` decides, by their record on
  earlier replays) join them with the same prior sd.

Every prior sd is in units of the party's seat noise :math:`\sigma_p`, and every prior is centred
on *no departure from the prior* (ridge shrinkage). Why random effects rather than one national
shift: the early declarations are not a sample of the nation (the fast counts are safe Labour
seats in the North East). A region's and a contest type's effects have priors at least as wide as
the national one, so what those seats show is mostly attributed to *their* region and contest
type, and seats of other types stay close to the prior until seats like them declare. With a
weak prior on the national effect the model would carry the safe seats' swing into the
marginals, which is what an additive one-intercept model did (see docs/election-night.md).

Fit (conjugate normal / inverse-gamma per party, over the declared seats where *p* stands):

.. math:: V_p = (X_p^\top X_p + \Lambda)^{-1}, \quad \hat\beta_p = V_p X_p^\top y_p, \quad
          \sigma_p^2 = \frac{\nu_0 \sigma_{0p}^2 + e_p^\top e_p + \hat\beta_p^\top\Lambda\hat\beta_p}{\nu_0 + n_p}

with :math:`\Lambda` the diagonal prior precision and :math:`\sigma_{0p}` = ``seat_sd`` for a party
polling 30% (less for smaller parties). With no declarations the projection is the prior.

Uncertainty: an undeclared seat's shares are :math:`Q_i + X_i\beta + \varepsilon_i`, with the
coefficients drawn from their posterior :math:`N(\hat\beta_p, V_p\sigma_p^2)` (the common error
of every seat, which shrinks as seats declare, and keeps the prior's width for regions and
contest types nobody has seen yet) and the seat noise :math:`\varepsilon` drawn with sd
:math:`\sigma_p`. Parties' draws are correlated as the declared seats' residuals are (shrunk
towards independence). The 90% interval of each party's seats is the simulated 5-95% range
widened about the mean by ``interval_scale``, a learned value the caller passes in (the
rolling-origin tables of :mod:`seatcast.fit.night_tables`: a replay of election *T* uses values
learned on elections before *T* only, live use all of them; see docs/election-night.md). The
model never imports the learning layer. ``trust`` multiplies every prior sd (learned likewise, on
earlier nights' real declaration orders). Parties that do not stand get
nothing; negative shares are cut to zero; the largest share wins (``oth`` never does).
Declared seats keep their actual winners.
:func:`simulate_night` draws everything from one seeded ``numpy.random.Generator``.

Worked example (one region and contest type, no features, one party's column): prior 40% in
every seat, ``seat_sd`` 0.04, ``prior_sd_intercept`` 1 (so the intercept's prior precision is 1).
Four seats declare at 44%: :math:`V = 1/(4+1)`, :math:`\hat\beta = 0.2 \times 4 \times 0.04 =
0.032`, so undeclared seats project at 43.2%.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.errors import InputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

OTHER = "oth"
#: Codes that never get an "own standing" effect (pooled or personal columns).
NO_OWN = ("oth", "ind", "spk")


@dataclass(frozen=True)
class NightSettings:
    """The model's prior scales, interval calibration and simulation size.

    The prior scales were chosen on the 2015 replay (base 2010); the reported replays (2017,
    2019, 2024) never tuned them. Re-tuned with the covariate prior (rule and grid in
    docs/election-night.md, H16): scaling every prior sd by 0.25 or 0.5 made 2015 worse, so the
    scales stand. ``interval_scale`` and ``trust`` are learned values passed in by the caller
    (:func:`seatcast.fit.night_tables.night_fitted`, by date); the defaults, 1.0, are the
    model's own spread and the H16 prior sds.
    ``coef_inflate`` and ``noise_inflate`` are left at 1: widening the draws also moves the mean
    seat totals (close seats become toss-ups), which made the 2015 projection worse.

    Attributes
    ----------
    seat_sd:
        Prior standard deviation of a seat's share around the model, for a party with 30%.
    prior_sd_intercept, prior_sd_region, prior_sd_contest, prior_sd_slope, prior_sd_own:
        Prior sds of the national, regional, contest-type, feature and own-standing effects, in
        units of the party's seat noise (see the module docstring).
    contest_min_seats:
        A contest type (base winner and runner-up) with fewer seats is not a level of its own.
    nu0:
        Weight of the prior seat noise, in seats, when the residuals estimate it.
    coef_inflate, noise_inflate:
        Scale of the coefficients' posterior sd and of the seat noise in the simulation.
    noise_df:
        Degrees of freedom of the Student-t seat noise (0: normal).
    interval_scale:
        The 90% interval of a party's seats is its simulated 5-95% range widened about the mean
        by this factor (a factor above 1 allows for what the model's own spread ignores: that
        early seats are an unrepresentative sample, and the misfit of the linear model).
    trust:
        Factor on every prior sd above (smaller: the declared seats move the projection less;
        learned on earlier nights' real declaration orders, H18).
    n_sims:
        Simulations per projection.
    """

    seat_sd: float = 0.04
    prior_sd_intercept: float = 1.0
    prior_sd_region: float = 1.2
    prior_sd_contest: float = 1.5
    prior_sd_slope: float = 0.2
    prior_sd_own: float = 0.3
    contest_min_seats: int = 10
    nu0: float = 10.0
    coef_inflate: float = 1.0
    noise_inflate: float = 1.0
    noise_df: float = 0.0
    interval_scale: float = 1.0
    trust: float = 1.0
    n_sims: int = 2000

    def __post_init__(self) -> None:
        if self.n_sims < 1:
            raise InputError(f"night simulations must be at least 1, not {self.n_sims}")
        if not self.interval_scale > 0:
            raise InputError(f"the interval scale must be positive, not {self.interval_scale}")
        if not self.trust > 0:
            raise InputError(f"the trust factor must be positive, not {self.trust}")


@dataclass(frozen=True, eq=False)
class NightPrior:
    """Everything known before the first declaration, as arrays over all seats of the base."""

    seat_ids: tuple[str, ...]
    names: tuple[str, ...]
    regions: tuple[str, ...]
    nations: tuple[str, ...]
    parties: tuple[str, ...]
    base: FloatArray  # [seats, parties] base shares (prepared: standing parties only)
    prior: FloatArray  # [seats, parties] pre-election projected shares
    stands: BoolArray  # [seats, parties] who stands where (for undeclared seats)
    features: FloatArray  # [seats, k] standardised features (no intercept)
    feature_names: tuple[str, ...]
    base_winners: tuple[str, ...]
    source: str = ""
    #: Optional extra own-standing columns ``[parties, seats, k]`` (incumbency, tactical advice:
    #: :func:`seatcast.night.features.incumbency_and_advice`), chosen by
    #: :func:`seatcast.fit.night_tables.groups_for`; standardised per party in the design.
    own_extra: FloatArray | None = None
    own_extra_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        s, p = self.prior.shape
        if self.base.shape != (s, p) or self.stands.shape != (s, p) or len(self.seat_ids) != s:
            raise ValueError("night prior: arrays disagree on the number of seats or parties")
        if len(self.parties) != p or self.features.shape[0] != s:
            raise ValueError("night prior: parties or features do not match the share arrays")
        if self.own_extra is not None and (self.own_extra.shape[:2] != (p, s)
                                           or self.own_extra.shape[2] != len(self.own_extra_names)):
            raise ValueError("night prior: own_extra must be [parties, seats, k] with k names")

    @property
    def n_seats(self) -> int:
        """Number of seats."""
        return len(self.seat_ids)

    def design(self) -> FloatArray:
        """The plain design matrix ``[seats, 1 + k]``: an intercept, then the standardised features."""
        return np.column_stack([np.ones(self.n_seats), self.features])

    def places(self) -> list[str]:
        """Each seat's nation, or its English region."""
        return [n if n != "England" else r for n, r in zip(self.nations, self.regions, strict=True)]

    def contests(self) -> list[str]:
        """Each seat's contest type at the base: ``winner-runnerup`` (``oth`` never counts)."""
        b = self.base.copy()
        if OTHER in self.parties:
            b[:, self.parties.index(OTHER)] = -1.0
        top = np.argsort(-b, axis=1, kind="stable")[:, :2]
        return [f"{self.parties[a]}-{self.parties[c]}" for a, c in top]


def _dummies(labels: list[str], min_count: int = 1) -> FloatArray:
    """Raw 0/1 columns for levels with at least ``min_count`` seats (none if only one level)."""
    counts = Counter(labels)
    levels = sorted(k for k, v in counts.items() if v >= min_count)
    if len(levels) < 2 and (not levels or counts[levels[0]] == len(labels)):
        return np.zeros((len(labels), 0))
    arr = np.asarray(labels)
    return np.column_stack([(arr == lv).astype(float) for lv in levels])


def _centred(values: FloatArray) -> FloatArray:
    sd = values.std()
    return (values - values.mean()) / sd if sd > 1e-12 else np.zeros_like(values)


@dataclass(frozen=True, eq=False)
class NightDesign:
    """The regression design: columns shared by every party, then each party's own columns."""

    common: FloatArray  # [seats, kc]
    own: FloatArray  # [parties, seats, ko]
    prior_sd: FloatArray  # [kc + ko] in units of the seat noise
    names: tuple[str, ...]

    def of(self, p: int) -> FloatArray:
        """Party ``p``'s design ``[seats, kc + ko]``."""
        return np.column_stack([self.common, self.own[p]])


def night_design(prior: NightPrior, settings: NightSettings) -> NightDesign:
    """Build the design of the module docstring for ``prior``."""
    n = prior.n_seats
    blocks: list[tuple[FloatArray, float, list[str]]] = [(np.ones((n, 1)), settings.prior_sd_intercept, ["national"])]
    places = prior.places()
    reg = _dummies(places)
    blocks.append((reg, settings.prior_sd_region, [f"in {p}" for p in sorted(set(places))][: reg.shape[1]]))
    contests = prior.contests()
    con = _dummies(contests, settings.contest_min_seats)
    levels = sorted(k for k, v in Counter(contests).items() if v >= settings.contest_min_seats)
    blocks.append((con, settings.prior_sd_contest, [f"contest {c}" for c in levels][: con.shape[1]]))
    keep = [j for j, nm in enumerate(prior.feature_names) if not nm.startswith("in_")]
    blocks.append((prior.features[:, keep], settings.prior_sd_slope, [prior.feature_names[j] for j in keep]))
    common = np.column_stack([b for b, _, _ in blocks])
    sds = [np.full(b.shape[1], sd) for b, sd, _ in blocks]
    names = [nm for _, _, nms in blocks for nm in nms]
    b = prior.base.copy()
    if OTHER in prior.parties:
        b[:, prior.parties.index(OTHER)] = -1.0
    rank = np.argsort(np.argsort(-b, axis=1, kind="stable"), axis=1, kind="stable")
    own = np.zeros((len(prior.parties), n, 3))
    for p, code in enumerate(prior.parties):
        if code in NO_OWN:
            continue
        own[p] = np.column_stack([_centred(prior.base[:, p]), _centred((rank[:, p] == 0).astype(float)),
                                  _centred((rank[:, p] == 1).astype(float))])
    sds.append(np.full(3, settings.prior_sd_own))
    names += ["own base share", "own base win", "own base second"]
    if prior.own_extra is not None and prior.own_extra.shape[2]:
        k = prior.own_extra.shape[2]
        extra = np.zeros((len(prior.parties), n, k))
        for p, code in enumerate(prior.parties):
            if code not in NO_OWN:
                extra[p] = np.column_stack([_centred(prior.own_extra[p, :, j]) for j in range(k)])
        own = np.concatenate([own, extra], axis=2)
        sds.append(np.full(k, settings.prior_sd_own))
        names += list(prior.own_extra_names)
    return NightDesign(common=common, own=own, prior_sd=np.concatenate(sds) * settings.trust, names=tuple(names))


@dataclass(frozen=True, eq=False)
class NightFit:
    """The posterior after some declarations: per-party coefficients, their covariance, seat noise."""

    design: NightDesign
    beta: FloatArray  # [k, parties] posterior means
    v: FloatArray  # [parties, k, k] posterior covariance of each party's coefficients, over sigma_p^2
    sigma: FloatArray  # [parties, parties] seat-noise covariance (sd from each party's residuals)
    n_declared: int

    @cached_property
    def sd(self) -> FloatArray:
        """Each party's seat-noise sd."""
        return np.asarray(np.sqrt(np.diag(self.sigma)), dtype=float)

    def mean_shift(self, rows: npt.NDArray[np.intp]) -> FloatArray:
        """Expected departure from the prior ``[len(rows), parties]`` for the seats ``rows``."""
        out = np.zeros((len(rows), self.beta.shape[1]))
        for p in range(self.beta.shape[1]):
            out[:, p] = self.design.of(p)[rows] @ self.beta[:, p]
        return out


def prior_noise(prior: NightPrior, settings: NightSettings) -> FloatArray:
    """The prior seat-noise sd per party: ``seat_sd`` at 30%, smaller for smaller parties."""
    mean = prior.prior.mean(axis=0)
    return np.asarray(settings.seat_sd * np.sqrt(np.clip(mean / 0.3, 0.02, 1.5)), dtype=float)


#: Declared seats at which the residual correlation between parties gets half its weight.
CORRELATION_N0 = 20.0


def fit_night(prior: NightPrior, declared: BoolArray, actual: FloatArray,
              settings: NightSettings | None = None) -> NightFit:
    """The posterior given the declared seats' actual shares (rows of ``actual`` where ``declared``)."""
    settings = settings or NightSettings()
    design = night_design(prior, settings)
    precision = np.diag(1.0 / design.prior_sd**2)
    s0 = prior_noise(prior, settings)
    n_par = len(prior.parties)
    k = len(design.prior_sd)
    beta = np.zeros((k, n_par))
    v = np.zeros((n_par, k, k))
    var = s0**2
    n = int(declared.sum())
    resid = np.zeros((n, n_par))
    didx = np.flatnonzero(declared)
    for p in range(n_par):
        rows = declared & prior.stands[:, p] & (prior.prior[:, p] > 0)
        x_all = design.of(p)
        x = x_all[rows]
        y = actual[rows, p] - prior.prior[rows, p]
        vp = np.linalg.inv(x.T @ x + precision)
        v[p] = (vp + vp.T) / 2
        b = v[p] @ x.T @ y
        beta[:, p] = b
        e = y - x @ b
        var[p] = (settings.nu0 * s0[p] ** 2 + e @ e + b @ precision @ b) / (settings.nu0 + int(rows.sum()))
        resid[np.searchsorted(didx, np.flatnonzero(rows)), p] = e
    sd = np.sqrt(var)
    corr = np.eye(n_par)
    if n >= 2:
        scale = np.sqrt((resid**2).sum(axis=0))
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = (resid.T @ resid) / np.outer(scale, scale)
        raw = np.nan_to_num(raw)
        np.fill_diagonal(raw, 1.0)
        w = n / (n + CORRELATION_N0)
        corr = w * raw + (1 - w) * np.eye(n_par)
    return NightFit(design=design, beta=beta, v=v, sigma=corr * np.outer(sd, sd), n_declared=n)


def _chol(m: FloatArray) -> FloatArray:
    """Cholesky factor with a little jitter for matrices that are only just positive definite."""
    jitter = 1e-10
    for _ in range(8):
        try:
            return np.asarray(np.linalg.cholesky(m + np.eye(len(m)) * jitter))
        except np.linalg.LinAlgError:
            jitter *= 100
    w, q = np.linalg.eigh(m)
    return np.asarray(q * np.sqrt(np.clip(w, 0, None)))


@dataclass(frozen=True, eq=False)
class NightProjection:
    """The projected parliament after some declarations, and the seats most likely to change hands."""

    declared: int
    last_seat: str | None
    parties: tuple[str, ...]
    seats_mean: dict[str, float]
    seats_interval: dict[str, tuple[int, int]]
    p_win: FloatArray = field(repr=False)  # [seats, parties] (declared seats: 0/1)
    projected_shares: FloatArray = field(repr=False)  # [seats, parties] mean shares
    declared_mask: BoolArray = field(repr=False)
    totals: npt.NDArray[np.int64] = field(repr=False)  # [sims, parties]

    @property
    def seats_projected(self) -> dict[str, float]:
        """Mean seats per party, most first, rounded to one decimal (the JSON ``seats_projected``)."""
        return {p: round(v, 1) for p, v in self.seats_mean.items()}

    def likely_changes(self, prior: NightPrior, n: int = 10) -> list[dict[str, Any]]:
        """Undeclared seats whose base winner is most likely to lose, most likely first."""
        col = {p: j for j, p in enumerate(self.parties)}
        out = []
        for i in np.flatnonzero(~self.declared_mask):
            bw = prior.base_winners[i]
            p_hold = float(self.p_win[i, col[bw]]) if bw in col else 0.0
            best = int(np.argmax(self.p_win[i]))
            out.append({"id": prior.seat_ids[i], "name": prior.names[i], "from": bw,
                        "likely": self.parties[best], "p_change": round(1.0 - p_hold, 3),
                        "p_likely": round(float(self.p_win[i, best]), 3)})
        out.sort(key=lambda d: (-_num(d["p_change"]), str(d["name"])))
        return [d for d in out if _num(d["p_change"]) > 0][:n]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines record: ``declared``, ``last_seat``, ``seats_projected``, ``seats_interval``."""
        return {
            "declared": self.declared,
            "last_seat": self.last_seat,
            "seats_projected": self.seats_projected,
            "seats_interval": {p: [int(lo), int(hi)] for p, (lo, hi) in self.seats_interval.items()},
        }


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


#: Declarations at which the widening factor reaches its calibrated value (the first checkpoint
#: the calibration scores, :data:`seatcast.night.calibration.CALIBRATION_CHECKPOINTS`).
RAMP_DECLARATIONS = 10


def ramped_scale(scale: float, declared: int) -> float:
    """The widening factor after ``declared`` declarations: 1 before any, ``scale`` from 10 on.

    Why a ramp: the factor makes room for what the model's spread ignores once declarations
    arrive (the first seats are an unrepresentative sample; the linear model misfits them). It
    was calibrated on checkpoints from 10 declarations on. Before the first declaration there
    is no sample to be unrepresentative, and applying the full factor to the prior's own (already
    wide) spread gave absurd ranges after one result (Labour 172-599 seats live in 2024, against
    the forecast's 324-465). Between 0 and 10 the factor grows linearly; every calibrated
    checkpoint keeps its factor.
    """
    return 1.0 + (scale - 1.0) * min(1.0, declared / RAMP_DECLARATIONS)


def _intervals(totals: npt.NDArray[np.int64], fixed: npt.NDArray[np.int64], n_open: int,
               scale: float) -> list[tuple[int, int]]:
    """The 5-95% range of each party's seats, widened about the mean by ``scale`` (outwards, in seats).

    A party can never end below the seats it has already won, nor above those plus the seats
    still open.
    """
    lo, hi = np.quantile(totals, [0.05, 0.95], axis=0, method="inverted_cdf")
    mean = totals.mean(axis=0)
    wide_lo = np.clip(np.floor(mean - scale * (mean - lo) + 1e-9), fixed, fixed + n_open)
    wide_hi = np.clip(np.ceil(mean + scale * (hi - mean) - 1e-9), fixed, fixed + n_open)
    return [(int(a), int(b)) for a, b in zip(wide_lo, wide_hi, strict=True)]


#: Largest simulated array of the night (simulations x undeclared seats x parties, float32) drawn
#: at once: 2**24 values (64 MB) holds the default 2000 simulations of a whole parliament in one go.
NIGHT_CHUNK_VALUES = 2**24


def _clone(gen: np.random.Generator) -> np.random.Generator:
    bit = type(gen.bit_generator)()
    bit.state = gen.bit_generator.state
    return np.random.Generator(bit)


def _chunked_winners(gen: np.random.Generator, n: int, k: int, u: int, np_: int, lc: npt.NDArray[Any], noise_df: float,
                     winners: Any, chunk_values: int | None = None) -> Any:
    """Yield ``(first row, winners [rows, u])`` for ``n`` simulations, at most ``chunk_values`` values at a time.

    The draws are those of one big draw (all coefficient normals, then all seat-noise normals,
    then all chi-squares, from ``gen``), so chunking changes no bit of the output: each kind of
    draw reads its own copy of the generator, advanced past the kinds drawn before it, and
    ``gen`` ends where the single draw would have left it.
    """
    limit = NIGHT_CHUNK_VALUES if chunk_values is None else chunk_values
    rows = max(1, limit // max(1, u * np_))
    if rows >= n:  # the common case: one draw, exactly as before
        zc = gen.standard_normal((n, k, np_), dtype=np.float32) @ lc
        noise = gen.standard_normal((n, u, np_), dtype=np.float32) @ lc
        chi = gen.chisquare(noise_df, (n, u, 1)) if noise_df > 0 else None
        yield 0, winners(zc, noise, chi)
        return
    g_z = _clone(gen)
    for lo in range(0, n, rows):  # skip the coefficient draws to reach the noise draws
        gen.standard_normal((min(rows, n - lo), k, np_), dtype=np.float32)
    g_n = _clone(gen)
    if noise_df > 0:  # skip the noise draws to reach the chi-squares
        for lo in range(0, n, rows):
            gen.standard_normal((min(rows, n - lo), u, np_), dtype=np.float32)
    g_c = gen  # ends where the single draw would leave it
    for lo in range(0, n, rows):
        m = min(rows, n - lo)
        zc = g_z.standard_normal((m, k, np_), dtype=np.float32) @ lc
        noise = g_n.standard_normal((m, u, np_), dtype=np.float32) @ lc
        chi = g_c.chisquare(noise_df, (m, u, 1)) if noise_df > 0 else None
        yield lo, winners(zc, noise, chi)
    if noise_df <= 0:
        gen.bit_generator.state = g_n.bit_generator.state


def simulate_night(
    prior: NightPrior,
    declared: BoolArray,
    actual: FloatArray,
    declared_winners: list[str | None],
    *,
    settings: NightSettings | None = None,
    rng: np.random.Generator | int | None = None,
    last_seat: str | None = None,
    fit: NightFit | None = None,
) -> NightProjection:
    """Fit on the declared seats and simulate the undeclared ones (see the module docstring).

    ``declared_winners[i]`` is the actual winner's party code of declared seat *i* (it may be a
    party with no column of its own); ``rng`` is a Generator or a seed.
    """
    settings = settings or NightSettings()
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    fit = fit or fit_night(prior, declared, actual, settings)
    parties = prior.parties
    np_ = len(parties)
    undeclared = np.flatnonzero(~declared)
    n = settings.n_sims
    mean_u = prior.prior[undeclared] + fit.mean_shift(undeclared)
    stands_u = prior.stands[undeclared]

    corr = fit.sigma / np.outer(fit.sd, fit.sd)
    lc = _chol(corr).T.astype(np.float32)  # correlates the parties' draws
    k = fit.beta.shape[0]
    coef_a = [_chol(fit.v[p]).astype(np.float32) * np.float32(fit.sd[p] * settings.coef_inflate) for p in range(np_)]
    design_u = [fit.design.of(p)[undeclared].T.astype(np.float32) for p in range(np_)]

    def winners(zc: FloatArray, noise: FloatArray, chi: FloatArray | None) -> npt.NDArray[np.intp]:
        """The winner of each undeclared seat in each simulation of a chunk ``[rows, U]``."""
        sims = np.empty((zc.shape[0], len(undeclared), np_), dtype=np.float32)
        for p in range(np_):
            coef = zc[:, :, p] @ coef_a[p].T  # [n, k]
            sims[:, :, p] = coef @ design_u[p]
        sims += mean_u.astype(np.float32)
        if chi is not None:
            noise /= np.sqrt(chi / settings.noise_df).astype(np.float32)
        sims += noise * (fit.sd * settings.noise_inflate).astype(np.float32)
        sims = np.where(stands_u, np.maximum(sims, 0), np.float32(-1.0))
        if OTHER in parties:
            sims[..., parties.index(OTHER)] = -2.0
        return sims.argmax(axis=-1)  # type: ignore[no-any-return]

    totals = np.zeros((n, np_), dtype=np.intp)
    counts = np.zeros((len(undeclared), np_), dtype=np.int64)
    for lo, win in _chunked_winners(gen, n, k, len(undeclared), np_, lc, settings.noise_df, winners):
        m = win.shape[0]
        totals[lo:lo + m] = np.bincount((win + np_ * np.arange(m)[:, None]).ravel(),
                                        minlength=m * np_).reshape(m, np_)
        if undeclared.size:
            counts += np.bincount((win + np_ * np.arange(len(undeclared))[None, :]).ravel(),
                                  minlength=len(undeclared) * np_).reshape(len(undeclared), np_)
    p_win = np.zeros((prior.n_seats, np_))
    if undeclared.size:
        p_win[undeclared] = counts / n
    fixed: Counter[str] = Counter()
    col = {p: j for j, p in enumerate(parties)}
    for i in np.flatnonzero(declared):
        w = declared_winners[i] or parties[int(np.argmax(actual[i]))]
        fixed[w] += 1
        if w in col:
            p_win[i, col[w]] = 1.0
    totals = totals + np.array([fixed.get(p, 0) for p in parties])
    extra = {p: c for p, c in fixed.items() if p not in col}
    mean = {p: float(totals[:, j].mean()) for j, p in enumerate(parties)}
    mean.update({p: float(c) for p, c in extra.items()})
    ranges = _intervals(totals, np.array([fixed.get(p, 0) for p in parties]), len(undeclared),
                        ramped_scale(settings.interval_scale, int(declared.sum())))
    interval = {p: ranges[j] for j, p in enumerate(parties)}
    interval.update({p: (c, c) for p, c in extra.items()})
    order = sorted((p for p in mean if mean[p] > 0 or interval[p][1] > 0), key=lambda p: (-mean[p], p))
    shares = prior.prior.copy()
    shares[undeclared] = np.where(stands_u, np.maximum(mean_u, 0), 0)
    shares[undeclared] /= np.maximum(shares[undeclared].sum(axis=1, keepdims=True), 1e-12)
    shares[declared] = actual[declared]
    return NightProjection(
        declared=int(declared.sum()), last_seat=last_seat, parties=parties,
        seats_mean={p: mean[p] for p in order}, seats_interval={p: interval[p] for p in order},
        p_win=p_win, projected_shares=shares, declared_mask=declared.copy(), totals=totals,
    )
