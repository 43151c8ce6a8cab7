"""A house-effect-aware average of the final polls, and the uncertainty of that average.

The plain mean (:func:`seatcast.data.polls.poll_average`) treats every final poll alike. Polls
are not alike: some firms lean one way election after election (a *house effect*), and the whole
industry sometimes misses together (the *industry bias*: in 2015 every firm under-stated the
Conservatives). This module learns both from **earlier elections only** and corrects for the
part of them that looks persistent.

Errors are measured on the same scale as the simulation engine (:mod:`seatcast.fit.error_model`):
``log((poll + 1) / (actual + 1))`` per party of :data:`NATIONAL_PARTIES` (``right`` = UKIP,
Brexit Party, Reform UK). ``scale="points"`` uses plain ``poll - actual`` instead (the toy tests
use it because it is easy to work by hand).

For a target election *E*, with earlier elections *e*:

1. ``d[k, e, p]``: pollster *k*'s final-poll error on party *p* at *e*;
   ``b[e, p]`` = the mean of ``d`` over the polls at *e* (the industry bias);
   ``r[k, e, p] = d - b`` (the pollster's error relative to the industry).
2. **House effect** (per party, pooled over pollsters; normal-normal empirical Bayes):
   ``r[k, e] = eta[k] + noise``, ``eta ~ N(0, tau2)``, ``noise ~ N(0, sigma2)``. ``sigma2`` is
   the within-pollster variance across elections (pollsters seen at two or more), ``tau2`` the
   spread of pollster means less what noise explains. The correction is the posterior mean
   ``m / (m + lam) * mean(r[k])`` with ``lam = sigma2 / tau2`` (at least :attr:`HouseSettings.min_lambda`,
   and :attr:`HouseSettings.default_lambda` when it cannot be estimated): a pollster seen once
   gets at most half of its one relative error; a new pollster gets none. Firms renamed over
   the years are matched through :data:`LINEAGE`.
3. **Industry bias**: it flips sign between elections for most parties, so only the persistent
   part is removed: the positive-part James-Stein shrinkage ``max(0, 1 - (s2 / M) / mean(b)^2) *
   mean(b)`` with ``s2`` the between-election variance of ``b`` over the ``M`` earlier elections.
   With a single earlier election nothing can be said about persistence: no correction.
4. **Weights**: ``0.5 ** (days_before / half_life) / (1/n + 1/n_cap)``: larger samples count more,
   but a 100,000-respondent MRP is not fifty polls (its non-sampling error is the same), and a
   poll finished the day before counts more than one finished a week before.
5. **Uncertainty** (per party, in points and on the log scale): ``se`` is the average's own
   error, the weighted spread of the corrected polls over Kish's effective number of polls (it
   includes sampling error and what house correction missed); ``se_total`` adds the part of the
   industry error that the correction cannot foresee (``s2`` plus the uncertainty of the
   persistent part; for the plain mean, the mean squared industry bias of earlier elections).

Use in the simulation engine: with ``average="house"``, draw national log-shares as
``log(share + 1) + N(0, se_total_log^2)``, correlated with the engine's cross-party correlation,
*instead of* the engine's own national error (which is the plain mean's error and would count
the industry bias twice). Keeping the engine's national error, add only ``se_log`` squared to its
diagonal (the average's own noise), as ``_house_effect_sd`` does now.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from seatcast.data.polls import ELECTION_DATES, final_polls
from seatcast.errors import InputError, UnknownNameError

__all__ = [
    "AVERAGES", "LINEAGE", "NATIONAL_PARTIES", "HouseSettings", "PollAverage", "average_shares",
    "estimate_house_effects", "estimate_industry_bias", "history_errors", "house_average", "mean_average",
]

#: Parties whose poll error is learned (``right`` = UKIP 2010-17, Brexit Party 2019, Reform UK 2024).
NATIONAL_PARTIES: tuple[str, ...] = ("con", "lab", "ld", "right", "green")
_RIGHT = frozenset({"ukip", "brx", "ruk"})
#: The averages the backtest and CLI accept.
AVERAGES: tuple[str, ...] = ("mean", "house")
#: Firms that changed name between elections, mapped to one lineage (their current name).
LINEAGE: dict[str, str] = {
    "ComRes": "Savanta", "Savanta ComRes": "Savanta",
    "Ipsos MORI": "Ipsos",
    "TNS BMRB": "Verian", "Kantar Public": "Verian", "Kantar": "Verian",
    "Panelbase": "Norstat",
}
#: Log-scale offset, as in the simulation engine (polls publish whole points).
LOG_OFFSET = 1.0
#: Recency assumed for a poll with no fieldwork end date (the edge of the final-poll window).
_MISSING_DAYS = 7.0

Actuals = Callable[[str], Mapping[str, float]]


@dataclass(frozen=True)
class HouseSettings:
    """Tuning of the house average; the defaults were set before looking at any backtest."""

    #: A poll finished this many days before polling day counts half as much as one finished on it.
    half_life_days: float = 7.0
    #: Sample size beyond which a poll stops gaining precision (non-sampling error floor).
    n_cap: float = 2000.0
    #: Shrinkage ``lam`` when the house-effect spread cannot be estimated (one earlier election).
    default_lambda: float = 3.0
    #: Smallest ``lam``: a pollster seen once never gets more than half of its relative error.
    min_lambda: float = 1.0
    #: ``"log"`` (engine scale) or ``"points"``.
    scale: str = "log"

    def __post_init__(self) -> None:
        """Reject settings that would make the average meaningless."""
        if self.scale not in ("log", "points"):
            raise InputError(f"scale must be 'log' or 'points', not {self.scale!r}")
        if self.half_life_days <= 0 or self.n_cap <= 0 or self.min_lambda <= 0 or self.default_lambda <= 0:
            raise InputError("half_life_days, n_cap, default_lambda and min_lambda must be positive")


@dataclass(frozen=True)
class PollAverage:
    """A final-poll average with its uncertainty and the corrections behind it.

    ``shares`` are percent under the poll file's party codes (``con``, ``lab``, ``ld``, ``snp``,
    ``pc``, ``green`` and ``ukip``/``brx``/``ruk``): ready for a backtest's national inputs.
    ``se``/``se_total`` are in points, ``se_log``/``se_total_log`` on the engine's log scale, for
    the parties of :data:`NATIONAL_PARTIES` that the polls name.
    """

    election: str
    method: str
    shares: dict[str, float]
    se: dict[str, float]
    se_total: dict[str, float]
    se_log: dict[str, float]
    se_total_log: dict[str, float]
    #: Correction subtracted from each poll (pollster -> party -> scale units).
    house_effects: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Persistent industry bias subtracted from the average (party -> scale units).
    industry_bias: dict[str, float] = field(default_factory=dict)
    #: Normalised weight of each poll.
    weights: dict[str, float] = field(default_factory=dict)
    #: Earlier elections the corrections were learned from.
    history: tuple[str, ...] = ()
    scale: str = "log"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (rounded)."""
        def r(d: Mapping[str, float], n: int = 3) -> dict[str, float]:
            return {k: round(v, n) for k, v in d.items()}

        return {
            "election": self.election, "method": self.method, "scale": self.scale,
            "shares": r(self.shares), "se": r(self.se), "se_total": r(self.se_total),
            "se_log": r(self.se_log, 4), "se_total_log": r(self.se_total_log, 4),
            "house_effects": {k: r(v, 4) for k, v in self.house_effects.items()},
            "industry_bias": r(self.industry_bias, 4), "weights": r(self.weights, 4),
            "history": list(self.history),
        }


# ---- scale helpers -----------------------------------------------------------------------------

def _fwd(x: Any, scale: str) -> Any:
    return np.log(np.asarray(x, dtype=float) + LOG_OFFSET) if scale == "log" else np.asarray(x, dtype=float)


def _inv(x: Any, scale: str) -> Any:
    return np.exp(np.asarray(x, dtype=float)) - LOG_OFFSET if scale == "log" else np.asarray(x, dtype=float)


def _slot(code: str) -> str | None:
    key = "right" if code in _RIGHT else code
    return key if key in NATIONAL_PARTIES else None


def _lineage(pollster: str) -> str:
    house = pollster.removesuffix(" (MRP)").strip()
    return LINEAGE.get(house, house)


def _history(election: str) -> tuple[str, ...]:
    if election not in ELECTION_DATES:
        raise UnknownNameError("election with final polls", election, ELECTION_DATES)
    date = ELECTION_DATES[election]
    return tuple(e for e, d in sorted(ELECTION_DATES.items(), key=lambda kv: kv[1]) if d < date)


# ---- estimation (pure: data frames in, numbers out) ------------------------------------------

def history_errors(polls: Mapping[str, pd.DataFrame], actuals: Mapping[str, Mapping[str, float]],
                   scale: str = "log") -> pd.DataFrame:
    """Long table of final-poll errors: ``election, house, party, error, relative``.

    ``polls[e]`` is :func:`final_polls` of ``e``; ``actuals[e]`` maps party codes to actual GB
    shares (percent). ``error`` = poll minus actual on ``scale``; ``relative`` = ``error`` minus
    the election's mean error over its polls (the industry bias ``b[e, p]``).
    """
    rows: list[dict[str, Any]] = []
    for e, df in polls.items():
        actual: dict[str, float] = {}
        for code, v in actuals[e].items():
            slot = _slot(code)
            if slot is not None:
                actual[slot] = actual.get(slot, 0.0) + float(v)
        for rec in df.to_dict("records"):
            for col, v in rec.items():
                slot = _slot(str(col))
                if slot is None or slot not in actual or v is None or pd.isna(v):
                    continue
                err = float(_fwd(float(v), scale) - _fwd(actual[slot], scale))
                rows.append({"election": e, "house": _lineage(str(rec["pollster"])), "party": slot, "error": err})
    out = pd.DataFrame(rows, columns=["election", "house", "party", "error"])
    out["relative"] = out["error"] - out.groupby(["election", "party"])["error"].transform("mean")
    return out


def estimate_house_effects(errors: pd.DataFrame, settings: HouseSettings = HouseSettings()
                           ) -> dict[str, dict[str, tuple[float, float]]]:
    """Shrunk house effect per house and party: ``{house: {party: (correction, n_elections)}}``.

    See step 2 of the module docstring. A house absent from ``errors`` has no entry (no correction).
    """
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for party, grp in errors.groupby("party", sort=True):
        by = grp.groupby("house")["relative"]
        m = by.count()
        mean = by.mean()
        resid = grp["relative"] - grp["house"].map(mean)
        dof = float((m - 1).clip(lower=0).sum())
        lam = settings.default_lambda
        if dof > 0:
            sigma2 = float((resid**2).sum()) / dof
            tau2 = float((mean**2).mean() - (sigma2 / m).mean())
            lam = sigma2 / tau2 if tau2 > 0 else math.inf
        lam = max(lam, settings.min_lambda)
        for house in sorted(m.index):
            k = float(m[house])
            factor = 0.0 if math.isinf(lam) else k / (k + lam)
            out.setdefault(str(house), {})[str(party)] = (factor * float(mean[house]), k)
    return out


def estimate_industry_bias(errors: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Per party ``(persistent_bias, unforeseen_var, plain_mean_msq)`` on the errors' scale.

    ``persistent_bias`` is the shrunk mean industry bias (step 3 of the module docstring);
    ``unforeseen_var`` the variance of next election's bias around it (``s2 * (1 + factor / M)``;
    with one earlier election, its squared bias); ``plain_mean_msq`` the mean squared industry
    bias, the expected squared error of an uncorrected average.
    """
    out: dict[str, tuple[float, float, float]] = {}
    bias = errors.groupby(["party", "election"])["error"].mean()
    for party in sorted({str(p) for p, _ in bias.index}):
        b = bias.loc[party].to_numpy(dtype=float)
        n = len(b)
        msq = float(np.mean(b**2))
        if n < 2:
            out[party] = (0.0, msq, msq)
            continue
        mean = float(b.mean())
        s2 = float(b.var(ddof=1))
        factor = max(0.0, 1.0 - (s2 / n) / mean**2) if mean != 0 else 0.0
        out[party] = (factor * mean, s2 * (1.0 + factor / n), msq)
    return out


def _weights(df: pd.DataFrame, election_date: str, settings: HouseSettings) -> np.ndarray:
    n = pd.to_numeric(df["sample_size"], errors="coerce")
    fill = float(n.median()) if n.notna().any() else settings.n_cap
    n_arr = n.fillna(fill).clip(lower=1.0).to_numpy(dtype=float)
    end = pd.to_datetime(df["fieldwork_end"], errors="coerce")
    days = (pd.Timestamp(election_date) - end).dt.days.astype(float).fillna(_MISSING_DAYS).clip(lower=0.0)
    w = 0.5 ** (days.to_numpy(dtype=float) / settings.half_life_days) / (1.0 / n_arr + 1.0 / settings.n_cap)
    return np.asarray(w / w.sum(), dtype=float)


def average_shares(polls: pd.DataFrame, election: str, election_date: str, *, method: str,
                   house: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
                   industry: Mapping[str, tuple[float, float, float]] | None = None,
                   settings: HouseSettings = HouseSettings(), history: tuple[str, ...] = ()) -> PollAverage:
    """Combine one election's final polls (a :func:`final_polls` frame) into a :class:`PollAverage`.

    ``method="mean"``: equal weights, no correction (the plain mean, with its uncertainty);
    ``"house"``: weights, house corrections ``house`` and industry corrections ``industry``.
    """
    if method not in AVERAGES:
        raise InputError(f"poll average must be one of {', '.join(AVERAGES)}, not {method!r}")
    scale = settings.scale
    house = house or {}
    industry = industry or {}
    parties = [c for c in polls.columns if c not in {"pollster", "fieldwork_end", "sample_size"}]
    names = [str(p) for p in polls["pollster"]]
    w_all = (np.full(len(polls), 1.0 / len(polls)) if method == "mean"
             else _weights(polls, election_date, settings))
    shares: dict[str, float] = {}
    se: dict[str, float] = {}
    se_total: dict[str, float] = {}
    se_log: dict[str, float] = {}
    se_total_log: dict[str, float] = {}
    applied: dict[str, dict[str, float]] = {}
    bias_used: dict[str, float] = {}
    for party in parties:
        y = pd.to_numeric(polls[party], errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(y)
        if not ok.any():
            continue
        slot = _slot(str(party))
        corr = np.zeros(len(y))
        if method == "house" and slot is not None:
            for i, name in enumerate(names):
                c = house.get(_lineage(name), {}).get(slot, (0.0, 0.0))[0]
                corr[i] = c
                if ok[i] and c != 0.0:
                    applied.setdefault(name, {})[slot] = c
        z = _fwd(y[ok], scale) - corr[ok]
        polls_corr = _inv(z, scale)
        w = w_all[ok] / w_all[ok].sum()
        avg = float(np.sum(w * polls_corr))
        persistent, unforeseen, msq = industry.get(slot, (0.0, 0.0, 0.0)) if slot else (0.0, 0.0, 0.0)
        if method == "house" and slot is not None and persistent != 0.0:
            bias_used[slot] = persistent
            avg = float(_inv(_fwd(avg, scale) - persistent, scale))
        shares[str(party)] = avg
        if slot is None:
            continue
        # Own noise: weighted spread of the corrected polls over Kish's effective number of polls,
        # never below the multinomial sampling variance of the pooled sample.
        zc = _fwd(polls_corr, scale)
        centre = float(np.sum(w * zc))
        n_eff = 1.0 / float(np.sum(w**2))
        spread = float(np.sum(w * (zc - centre) ** 2)) * len(zc) / max(len(zc) - 1, 1)
        var_own = spread / n_eff
        ind_var = unforeseen if method == "house" else msq
        # Delta method between the scales: d log(x + 1) = dx / (x + 1).
        to_pts = (avg + LOG_OFFSET) if scale == "log" else 1.0
        to_log = 1.0 / (avg + LOG_OFFSET) if scale == "points" else 1.0
        own, tot = math.sqrt(var_own), math.sqrt(var_own + ind_var)
        se[slot], se_total[slot] = own * to_pts, tot * to_pts
        se_log[slot], se_total_log[slot] = own * to_log, tot * to_log
    return PollAverage(
        election=election, method=method, shares=shares, se=se, se_total=se_total, se_log=se_log,
        se_total_log=se_total_log, house_effects=applied, industry_bias=bias_used,
        weights=dict(zip(names, (float(v) for v in w_all), strict=True)), history=history, scale=scale,
    )


# ---- public entry points -----------------------------------------------------------------------

def house_average(election: str, *, actuals: Actuals,
                  settings: HouseSettings = HouseSettings()) -> PollAverage:
    """House-effect-aware average of ``election``'s GB final polls, learned from earlier elections.

    ``actuals(e)`` gives election ``e``'s actual GB shares (the caller's: a backtest passes
    :func:`seatcast.backtest.runner.actuals_of` its store, so this data module never reaches up
    to the results layer); it is only ever called for elections strictly before ``election``,
    and this is checked.
    """
    history = _history(election)
    target_date = ELECTION_DATES[election]
    get = actuals
    polls, acts = {}, {}
    for e in history:
        if ELECTION_DATES[e] >= target_date:  # the guard: never learn from the target or later
            raise InputError(f"house average of {election} may not use {e}")
        polls[e] = final_polls(e)
        acts[e] = get(e)
    errors = history_errors(polls, acts, settings.scale)
    house = estimate_house_effects(errors, settings) if len(errors) else {}
    industry = estimate_industry_bias(errors) if len(errors) else {}
    return average_shares(final_polls(election), election, target_date, method="house", house=house,
                          industry=industry, settings=settings, history=history)


def mean_average(election: str, *, actuals: Actuals,
                 settings: HouseSettings = HouseSettings()) -> PollAverage:
    """The plain mean (equal to :func:`poll_average`) with its uncertainty from earlier elections."""
    history = _history(election)
    get = actuals
    errors = history_errors({e: final_polls(e) for e in history}, {e: get(e) for e in history}, settings.scale)
    industry = estimate_industry_bias(errors) if len(errors) else {}
    return average_shares(final_polls(election), election, ELECTION_DATES[election], method="mean",
                          industry=industry, settings=settings, history=history)
