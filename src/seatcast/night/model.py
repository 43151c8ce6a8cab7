r"""The election-night model: what the declared seats say about the undeclared ones.

Pure numpy. Before the night there is a prior: projected shares :math:`Q` for every seat (the
pre-election forecast). As seats declare, each declared seat *i* shows its departure from the
prior, :math:`r_i = A_i - Q_i` (a vector over parties). Equivalently the observed swing from the
base is :math:`A_i - B_i` and the prior swing :math:`Q_i - B_i`; the model explains the
difference by what is known of every seat beforehand (features :math:`x_i`: an intercept, the
seat's base shares, turnout, nation/region and covariates, see :mod:`seatcast.night.features`):

.. math:: r_i = x_i^\top \beta + \varepsilon_i, \qquad \varepsilon_i \sim N(0, \Sigma)

with a conjugate matrix-normal prior :math:`\beta \sim MN(0, V_0, \Sigma)` centred on *no
departure from the prior*: :math:`V_0` is diagonal, ``prior_sd_intercept``:sup:`2` for the
intercept (the polls' national miss) and ``prior_sd_slope``:sup:`2` for each standardised
feature, in units of the seat noise. The posterior is

.. math:: V = (X^\top X + V_0^{-1})^{-1}, \quad \hat\beta = V X^\top R, \quad
          \Sigma = \frac{\nu_0 \Sigma_0 + E^\top E + \hat\beta^\top V_0^{-1} \hat\beta}{\nu_0 + n}

so with no declarations the projection is the prior, and as declarations grow the prior fades
(the data term :math:`X^\top X` swamps :math:`V_0^{-1}`). :math:`\Sigma_0` is the prior seat noise,
diagonal, ``seat_sd`` for a party polling 30% and less for smaller parties.

Uncertainty: an undeclared seat's shares are :math:`Q_i + x_i^\top\beta + \varepsilon_i`, with
:math:`\beta` drawn from its posterior (a common error shared by every seat, which shrinks as
seats declare) and :math:`\varepsilon_i` drawn from :math:`\Sigma` (the seat noise, estimated from
the residuals of the declared seats). Parties that do not stand get nothing; negative shares
are cut to zero; the largest share wins (``oth`` never does). Declared seats keep their actual
winners. :func:`simulate_night` draws everything with one seeded ``numpy.random.Generator``,
vectorised over simulations.

Worked example (no features, one party's column): prior 40% in every seat, ``seat_sd`` 0.04,
``prior_sd_intercept`` 1 (so :math:`V_0 = 1`). Four seats declare at 44%: :math:`V = 1/(4+1)`,
:math:`\hat\beta = 0.2 \times 4 \times 0.04 = 0.032`, so undeclared seats project at 43.2%.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

OTHER = "oth"


@dataclass(frozen=True)
class NightSettings:
    """The model's prior scales and the simulation size (defaults fitted on nothing but judgement).

    Attributes
    ----------
    seat_sd:
        Prior standard deviation of a seat's share around the model, for a party with 30%.
    prior_sd_intercept:
        Prior sd of the common (national) departure from the prior, in units of ``seat_sd``.
    prior_sd_slope:
        Prior sd of each standardised feature's effect, in units of ``seat_sd``.
    nu0:
        Weight of the prior seat noise, in seats, when the residuals estimate it.
    n_sims:
        Simulations per projection.
    retarget, retarget_n0:
        Stage one (:func:`retarget`), off by default: in replays it made the realistic order worse,
        because early declarations are not a sample of the nation.
    """

    seat_sd: float = 0.04
    prior_sd_intercept: float = 1.0
    prior_sd_slope: float = 0.35
    nu0: float = 10.0
    retarget: bool = False
    retarget_n0: float = 5.0
    n_sims: int = 2000


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
    #: Optional re-projection: group targets ``[G, P]`` -> seat shares ``[S, P]`` (the prior's swing
    #: model), the prior's targets and each seat's group (-1: held at the base).
    reproject: Callable[[FloatArray], FloatArray] | None = None
    target: FloatArray | None = None
    group: npt.NDArray[np.intp] | None = None

    def __post_init__(self) -> None:
        s, p = self.prior.shape
        if self.base.shape != (s, p) or self.stands.shape != (s, p) or len(self.seat_ids) != s:
            raise ValueError("night prior: arrays disagree on the number of seats or parties")
        if len(self.parties) != p or self.features.shape[0] != s:
            raise ValueError("night prior: parties or features do not match the share arrays")

    @property
    def n_seats(self) -> int:
        """Number of seats."""
        return len(self.seat_ids)

    def design(self) -> FloatArray:
        """The design matrix ``[seats, 1 + k]``: an intercept, then the features."""
        return np.column_stack([np.ones(self.n_seats), self.features])


@dataclass(frozen=True, eq=False)
class NightFit:
    """The posterior after some declarations: coefficients, their row covariance, seat noise."""

    beta: FloatArray  # [1 + k, parties]
    prior: FloatArray  # [seats, parties] the prior the residuals are taken from (re-targeted)
    v: FloatArray  # [1 + k, 1 + k] row covariance of beta (times sigma)
    sigma: FloatArray  # [parties, parties] seat noise covariance
    n_declared: int

    def mean_shift(self, design: FloatArray) -> FloatArray:
        """Expected departure from the prior ``[seats, parties]`` for the rows of ``design``."""
        return np.asarray(design @ self.beta)


def prior_noise(prior: NightPrior, settings: NightSettings) -> FloatArray:
    """The prior seat-noise covariance: diagonal, smaller for smaller parties."""
    mean = prior.prior.mean(axis=0)
    scale = np.sqrt(np.clip(mean / 0.3, 0.02, 1.5))
    return np.diag((settings.seat_sd * scale) ** 2)


def prior_row_precision(k: int, settings: NightSettings) -> FloatArray:
    """``V0^-1``: the prior precision of the coefficients' rows (intercept, then features)."""
    sd = np.full(k, settings.prior_sd_slope)
    sd[0] = settings.prior_sd_intercept
    return np.diag(1.0 / sd**2)


def retarget(prior: NightPrior, declared: BoolArray, actual: FloatArray, settings: NightSettings) -> FloatArray:
    """Stage one: move each group's target by the declared seats' mean departure, shrunk, and re-project.

    The prior's own swing model then spreads the observed national change over the seats (a
    falling party loses most where it is strong under the transition model), which a linear
    term in the shares cannot do. ``n_g / (n_g + retarget_n0)`` of group *g*'s mean departure is
    taken, twice (the second pass corrects the first's non-linearity).
    """
    ready = prior.reproject is not None and prior.target is not None and prior.group is not None
    if not (settings.retarget and ready and declared.any()) or prior.target is None or prior.group is None:
        return prior.prior
    target = prior.target.copy()
    current = prior.prior
    for _ in range(2):
        for g in range(target.shape[0]):
            sel = declared & (prior.group == g)
            n_g = int(sel.sum())
            if n_g == 0:
                continue
            shift = (actual[sel] - current[sel]).mean(axis=0) * n_g / (n_g + settings.retarget_n0)
            t = np.maximum(target[g] + shift, 0)
            target[g] = t / t.sum()
        assert prior.reproject is not None
        current = np.asarray(prior.reproject(target), dtype=float)
    return current


def fit_night(prior: NightPrior, declared: BoolArray, actual: FloatArray,
              settings: NightSettings | None = None) -> NightFit:
    """The posterior given the declared seats' actual shares (rows of ``actual`` where ``declared``)."""
    settings = settings or NightSettings()
    x_all = prior.design()
    k = x_all.shape[1]
    p0 = prior_row_precision(k, settings)
    s0 = prior_noise(prior, settings)
    n = int(declared.sum())
    base_prior = retarget(prior, declared, actual, settings)
    if n == 0:
        v0 = np.asarray(np.linalg.inv(p0), dtype=float)
        return NightFit(beta=np.zeros((k, len(prior.parties))), v=v0, sigma=s0, n_declared=0, prior=base_prior)
    x = x_all[declared]
    r = actual[declared] - base_prior[declared]
    v = np.linalg.inv(x.T @ x + p0)
    v = (v + v.T) / 2
    beta = v @ x.T @ r
    e = r - x @ beta
    sigma = (settings.nu0 * s0 + e.T @ e + beta.T @ p0 @ beta) / (settings.nu0 + n)
    sigma = (sigma + sigma.T) / 2 + np.eye(len(prior.parties)) * 1e-8
    return NightFit(beta=beta, v=v, sigma=sigma, n_declared=n, prior=base_prior)


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
    x_u = prior.design()[undeclared]
    n = settings.n_sims
    mean_u = fit.prior[undeclared] + fit.mean_shift(x_u)
    stands_u = prior.stands[undeclared]

    a = _chol(fit.v).astype(np.float32)
    b = _chol(fit.sigma).T.astype(np.float32)
    z = gen.standard_normal((n, a.shape[0], np_), dtype=np.float32)
    coef = a @ z @ b  # [n, k, P]: beta draws minus their mean
    sims = mean_u.astype(np.float32) + x_u.astype(np.float32) @ coef
    sims += gen.standard_normal((n, len(undeclared), np_), dtype=np.float32) @ b
    sims = np.where(stands_u, np.maximum(sims, 0), np.float32(-1.0))
    if OTHER in parties:
        sims[..., parties.index(OTHER)] = -2.0
    win = sims.argmax(axis=-1)  # [n, U]

    totals = np.bincount((win + np_ * np.arange(n)[:, None]).ravel(), minlength=n * np_).reshape(n, np_)
    p_win = np.zeros((prior.n_seats, np_))
    if undeclared.size:
        counts = np.bincount((win + np_ * np.arange(len(undeclared))[None, :]).ravel(),
                             minlength=len(undeclared) * np_).reshape(len(undeclared), np_)
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
    lo, hi = np.quantile(totals, [0.05, 0.95], axis=0, method="inverted_cdf")
    interval = {p: (int(lo[j]), int(hi[j])) for j, p in enumerate(parties)}
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
