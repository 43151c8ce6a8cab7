"""The error model: how far a forecast can be off, learned only from elections before it.

Four layers of error, each with its own source:

* **national polling error** per party, correlated across parties, in log-share space: the log
  ratio of the actual GB share to the final-poll average at every earlier election
  (``polls/final_polls.csv.gz``), shrunk towards a diagonal prior (:data:`PRIOR_NATIONAL_SD`,
  :data:`PRIOR_WEIGHT` pseudo-elections) because there are only a handful of elections;
* **poll-average uncertainty**: the spread of house effects (each pollster's mean deviation
  from the all-pollster mean in the final four weeks of an earlier campaign, from PollBase,
  ``polls/polls_all_pollbase.csv.gz``) divided by the square root of the number of pollsters;
* **nation and region errors**: how far each nation's and each English region's vote-weighted
  share moved away from the swing model's projection at earlier backtests run with the *actual*
  GB shares (so the polls' error is not counted twice);
* **seat noise**: the seat residuals of those same backtests, once the region mean is removed,
  standardised by ``sqrt(s (1 - s))``; a seat with a strong third party (third place on 15% or
  more) and a seat's leading independent get their own, larger, sizes.

An election with no earlier backtest (ge2015 here) falls back on the priors, which were set
before looking at any result: they are deliberately wide.

This module estimates (it runs backtests); the result is a stored
:class:`~seatcast.fit.fitted.FittedModel` of kind ``error-model`` whose parameters the
simulator reads as a plain value (:class:`seatcast.simulate.error_model.ErrorModel`).
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.backtest.runner import BACKTESTS, actual_gb_shares, run_backtest
from seatcast.data.bundled import open_text
from seatcast.data.frame import ShareFrame
from seatcast.data.parties import IND, OTHER, SEPARATE_NATIONS
from seatcast.data.polls import ELECTION_DATES, poll_average
from seatcast.data.store import Store
from seatcast.models import FitSource

FloatArray = npt.NDArray[np.float64]

#: Parties whose national polling error is estimated (``right`` = UKIP, Brexit Party, Reform UK).
NATIONAL_PARTIES: tuple[str, ...] = ("con", "lab", "ld", "right", "green")
_RIGHT = frozenset({"ukip", "brx", "ruk"})
#: Prior standard deviation of a party's national log-share error (about 3 points on 35%).
PRIOR_NATIONAL_SD = 0.09
#: Prior for any other party's national error (minor and regional parties move more, relatively).
PRIOR_MINOR_SD = 0.15
#: How many elections' worth of weight the national prior carries against the observed errors
#: (one observation per election: the prior matters for years).
PRIOR_WEIGHT = 3.0
#: The same for the nation, region and seat sizes: each backtest measures them on hundreds of
#: residuals, so the prior only fills the gap before the first backtest.
LOCAL_PRIOR_WEIGHT = 1.0
#: Points added to poll and result before taking the log ratio (polls publish whole points).
LOG_OFFSET = 1.0
#: Seat residuals count only pairs projected at least this share (the parties that can win).
CONTENDER_SHARE = 0.15
#: Nation residuals count only parties with at least this share of the nation (a contender).
NATION_MIN_SHARE = 0.05
PRIOR_NATION_SD = 0.05
PRIOR_REGION_SD = 0.25
PRIOR_SEAT_SD = 0.12
#: A seat's third party at or above this share marks a three-way seat (more local noise).
THIRD_PARTY_SHARE = 0.15
#: Shares below this are left out of residual statistics (a log or a ratio of near-zero is noise).
MIN_SHARE = 0.02


def national_slot(party: str) -> int | None:
    """Index of ``party`` in :data:`NATIONAL_PARTIES` (``None`` for a party with prior-only error)."""
    key = "right" if party in _RIGHT else party
    return NATIONAL_PARTIES.index(key) if key in NATIONAL_PARTIES else None


# ---- estimation ------------------------------------------------------------------------------

#: Bump when a change to this module changes what an estimate produces: stored fits are then refitted.
CODE_VERSION = "1"
#: The bundled folders an estimate reads besides the elections (polls; and the covariate model's
#: inputs, since its residuals come from covariate backtests when that is the model).
BUNDLED_INPUTS: tuple[str, ...] = ("polls", "covariates", "tactical")
#: The ISO date standing for "no cut-off" (a forecast from today).
NO_CUTOFF = "9999-12-31"


def training_elections(store: Store, as_of: date | None) -> tuple[str, ...]:
    """Ids of the stored elections held before ``as_of``: all an estimate may read."""
    cut = as_of.isoformat() if as_of else NO_CUTOFF
    return tuple(sorted(e.id for e in store.elections() if e.date and e.date < cut))


def prior_params() -> dict[str, Any]:
    """The wide prior used when nothing earlier is known (parameters of an error model)."""
    return {"national_cov": np.diag(np.full(len(NATIONAL_PARTIES), PRIOR_NATIONAL_SD**2)).tolist(),
            "sources": ["prior only"]}


def estimate_params(as_of: date | None, *, model: str, store: Store, fits: FitSource) -> dict[str, Any]:
    """The error model's parameters for a forecast as of ``as_of``, from earlier elections only.

    Keys: ``national_cov`` (list of rows), ``nation_sd``, ``region_sd``, ``seat_sd``,
    ``seat_sd_third``, ``seat_sd_ind`` (absent: the prior) and ``sources``. ``fits`` supplies
    the fitted model behind ``model``'s backtests (the covariate model's, as of each target).
    """
    before = as_of.isoformat() if as_of else NO_CUTOFF
    errors, used = _national_errors(before, store)
    cov = national_covariance(errors)
    house = _house_effect_sd(before)
    if house is not None:
        cov = cov + np.diag(np.full(len(NATIONAL_PARTIES), house**2))
    sources = [f"national error: final polls vs result at {', '.join(used) or 'no earlier election'}"]
    if house is not None:
        sources.append(f"house-effect spread {house:.3f} (PollBase, earlier campaigns)")
    resid = _residual_sizes(before, model, store, fits)
    if resid is None:
        sources.append("nation/region/seat noise: priors (no earlier backtest)")
        return {"national_cov": cov.tolist(), "sources": sources}
    sources.append(f"nation/region/seat noise: {model} residuals at {', '.join(resid['used'])} (actual inputs)")

    def shrink(value: float, prior_value: float, n: float) -> float:
        # Each backtest gives hundreds of seat and region residuals, so one election of data
        # already outweighs the prior: it carries LOCAL_PRIOR_WEIGHT elections' worth.
        return float((LOCAL_PRIOR_WEIGHT * prior_value + n * value) / (LOCAL_PRIOR_WEIGHT + n))

    n_el = float(len(resid["used"]))
    return {
        "national_cov": cov.tolist(),
        "nation_sd": shrink(resid["nation"], PRIOR_NATION_SD, n_el),
        "region_sd": shrink(resid["region"], PRIOR_REGION_SD, n_el),
        "seat_sd": shrink(resid["seat"], PRIOR_SEAT_SD, n_el),
        "seat_sd_third": shrink(resid["third"], PRIOR_SEAT_SD * 1.25, n_el),
        "seat_sd_ind": shrink(resid["ind"], PRIOR_SEAT_SD * 2.0, n_el),
        "sources": sources,
    }


def national_covariance(errors: list[FloatArray], weight: float = PRIOR_WEIGHT) -> FloatArray:
    """Covariance of national log-share errors, shrunk towards the diagonal prior, pair by pair.

    ``NaN`` marks a party with no final-poll figure at that election (e.g. no Green or UKIP
    polling in 2010): it is left out of that party's terms rather than counted as a zero error,
    which would make the party look better polled than it was. Each entry ``(i, j)`` blends the
    prior with the elections where both parties were polled; the blend is made positive definite
    (eigenvalues floored) because entries use different elections.
    """
    k = len(NATIONAL_PARTIES)
    prior = np.diag(np.full(k, PRIOR_NATIONAL_SD**2))
    if not errors:
        return prior
    e = np.asarray(errors, dtype=float)
    seen = ~np.isnan(e)
    z = np.where(seen, e, 0.0)
    scatter = z.T @ z
    n = seen.T.astype(float) @ seen.astype(float)
    cov = (weight * prior + scatter) / (weight + n)
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
    floor = 0.1 * PRIOR_NATIONAL_SD**2
    return np.asarray((vecs * np.maximum(vals, floor)) @ vecs.T, dtype=float)


def _national_errors(before: str, store: Store) -> tuple[list[FloatArray], list[str]]:
    """Log(actual / final-poll average) per national party at each election before ``before``.

    A party without a final-poll figure at an election is ``NaN`` there (see :func:`national_covariance`).
    """
    out, used = [], []
    for eid, held in sorted(ELECTION_DATES.items(), key=lambda kv: kv[1]):
        if held >= before:
            continue
        try:
            actual = actual_gb_shares(store.load(eid))
        except Exception:
            continue
        polls = poll_average(eid)
        e = np.full(len(NATIONAL_PARTIES), np.nan)
        for p, v in polls.items():
            slot = national_slot(p)
            a = sum(x for q, x in actual.items() if national_slot(q) == slot) if slot is not None else 0.0
            if slot is not None and v > 1 and a > 0:
                # Published shares are rounded to whole points: the offset keeps a 3% party's
                # rounding from passing for a 15% polling error.
                e[slot] = np.log((a + LOG_OFFSET) / (v + LOG_OFFSET))
        out.append(e)
        used.append(eid)
    return out, used


@cache
def _house_effect_sd(before: str) -> float | None:
    """Spread (log scale) of pollsters' house effects in the last 4 weeks of earlier campaigns.

    A pure function of a bundled file and ``before``: ``functools.cache`` is safe here.
    """
    import pandas as pd

    df = pd.read_csv(io.StringIO(open_text("polls/polls_all_pollbase.csv.gz")),
                     usecols=["fieldwork_end", "pollster", "con", "lab"])
    df["end"] = pd.to_datetime(df["fieldwork_end"], errors="coerce")
    effects: list[float] = []
    for held in ELECTION_DATES.values():
        if held >= before:
            continue
        day = pd.Timestamp(held)
        win = df[(df["end"] < day) & (df["end"] >= day - pd.Timedelta(days=28))]
        if win["pollster"].nunique() < 3:
            continue
        for party in ("con", "lab"):
            logs = np.log(win[party].clip(lower=1.0))
            by_house = (logs - logs.mean()).groupby(win["pollster"]).mean()
            effects.extend(float(v) for v in by_house)
    if len(effects) < 3:
        return None
    # The average of ~10 houses: its uncertainty is the spread over sqrt(10).
    return float(np.std(effects, ddof=1) / np.sqrt(10.0))


def _residual_sizes(before: str, model: str, store: Store, fits: FitSource) -> dict[str, Any] | None:
    """Nation, region and seat residual sizes of ``model``'s earlier backtests with actual inputs."""
    nation_r: list[float] = []
    nation_w: list[float] = []
    region_r: list[float] = []
    seat_r: list[float] = []
    third_r: list[float] = []
    ind_r: list[float] = []
    used = []
    for target in BACKTESTS:
        try:
            el = store.load(target)
        except Exception:
            continue
        if (el.date.isoformat() if el.date else "9999") >= before:
            continue
        bt = run_backtest(target, model=model, inputs="actual", store=store, fits=fits)
        proj = bt.projection
        f = proj.frame
        act_frame = ShareFrame.from_election(el)
        order = [act_frame.seat_ids.index(s) for s in f.seat_ids]
        act = act_frame.with_parties(proj.parties).shares[order]
        pred = proj.shares
        gb = ~np.isin(np.array(f.nations), list(SEPARATE_NATIONS)) & proj.setup.modelled
        w = f.weights
        cols = [j for j, p in enumerate(proj.parties) if p != OTHER]
        resid = act - pred
        scale = np.sqrt(np.clip(pred * (1 - pred), 1e-6, None))
        # Seat noise is sized on the contenders, whose errors decide winners; a 3% party's
        # standardised residual is larger (its share is noisier, relatively) and would widen every seat.
        ok = (pred >= CONTENDER_SHARE) & (act > 0)
        nations = np.array(f.nations)
        regions = np.array(f.regions)
        region_mean = np.zeros_like(resid)
        largest = max(set(nations[gb]), key=lambda u: int((gb & (nations == u)).sum()))
        for unit, values, sink, kind in ((nations, set(nations[gb]), nation_r, "nation"),
                                          (regions, set(regions[gb]), region_r, "region")):
            for u in sorted(values):
                m = gb & (unit == u)
                ws = w[m].sum()
                p_bar = w[m] @ pred[m] / ws
                a_bar = w[m] @ act[m] / ws
                for j in cols:
                    if kind == "nation":
                        # The engine gives every nation one size, so it is sized on the largest
                        # (England: 85% of GB seats); Scotland's and Wales's own swings are
                        # measured again by the region layer (each is a region), which keeps them.
                        # Weighted by share: a 6% party's log ratio is mostly noise, and the big
                        # parties' errors are the ones that move seats.
                        if u == largest and p_bar[j] >= NATION_MIN_SHARE and a_bar[j] > 0:
                            sink.append(float(np.log(a_bar[j] / p_bar[j])))
                            nation_w.append(float(p_bar[j]))
                    elif p_bar[j] >= MIN_SHARE and a_bar[j] > 0:
                        sink.append(float((a_bar[j] - p_bar[j]) / np.sqrt(p_bar[j] * (1 - p_bar[j]))))
                if kind == "region":
                    region_mean[m] = (a_bar - p_bar)[None, :]
        z = (resid - region_mean) / scale
        srt = np.sort(pred, axis=1)
        three_way = srt[:, -3] >= THIRD_PARTY_SHARE
        j_ind = proj.parties.index(IND) if IND in proj.parties else -1
        for j in cols:
            sel = gb & ok[:, j]
            if j == j_ind:
                ind_r.extend(z[sel, j].tolist())
            else:
                seat_r.extend(z[sel & ~three_way, j].tolist())
                third_r.extend(z[sel & three_way, j].tolist())
        used.append(target)
    if not used:
        return None

    def rms(values: list[float], fallback: float) -> float:
        # The root mean square of standardised residuals, robust to a few wild seats (trimmed at 1%).
        if len(values) < 10:
            return fallback
        a = np.abs(np.asarray(values))
        a = a[a <= np.quantile(a, 0.99)]
        return float(np.sqrt(np.mean(a**2)))

    seat = rms(seat_r, PRIOR_SEAT_SD)
    nation = float(np.sqrt(np.average(np.square(nation_r), weights=nation_w))) if nation_r else PRIOR_NATION_SD
    return {
        "used": used, "nation": nation, "region": rms(region_r, PRIOR_REGION_SD),
        "seat": seat, "third": rms(third_r, seat * 1.25), "ind": rms(ind_r, seat * 2.0),
    }
