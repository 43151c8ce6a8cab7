"""Hierarchical multinomial-logit MRP in PyMC (the ``pymc`` engine of ``seatcast mrp fit``).

Why a second engine: the default statsmodels engine fits one binary model per party ("this party
or any other") and renormalises, so the parties' probabilities are not modelled jointly, and the
demographic effects are unpooled fixed effects. This engine fits one joint model:

* a multinomial logit over the parties, one reference party (the most-voted) fixed at logit 0;
* for every demographic, an effect per category and party, partially pooled: each
  demographic has its own standard deviation per party (half-normal prior), so a demographic
  that does not matter is shrunk towards zero and a sparse category borrows from the others;
* a seat random intercept per party with a half-normal standard deviation;
* seat-level predictors when the frame has numeric columns that are constant within each seat
  (say a seat's 2016 Leave share): standardised, one coefficient per party. They let a seat with
  few respondents borrow from seats that look like it, which is most of MRP's advantage.

All effects use the non-centred parameterisation (effect = sd x standard normal), which keeps
ADVI and NUTS well behaved when an sd is small. The survey is aggregated to one row per
(seat, demographic cell) with vote counts per party before fitting, so the likelihood is a few
hundred multinomial rows rather than one categorical row per respondent, and nothing loops over
parties in Python: the whole model is one small vectorised graph.

Fitting is ADVI (``pm.fit``, mean-field) by default, a few seconds; ``draws`` switches to NUTS
(two chains, one core). Each posterior draw is post-stratified (cell probabilities weighted by
``count``) and the shares are the posterior mean. A seat with no respondents gets a seat effect
drawn from its prior in every draw (the posterior predictive), not a zero effect.

PyMC is an optional extra (``pip install 'seatcast[mrp]'``) and is imported only when this engine
runs: PyTensor compiles C on first use, which the default install should not pay for.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from seatcast.errors import DataError
from seatcast.extras import require_extra

ADVI_STEPS = 12_000
"""ADVI iterations: the ELBO of the synthetic tests' models has settled well before this."""
POSTERIOR_DRAWS = 1_000
"""Draws from the fitted approximation used to post-stratify (posterior means converge as 1/sqrt)."""


@dataclass(frozen=True)
class _Design:
    """The integer-coded data the model and the post-stratification share."""

    parties: list[str]  # reference party first
    seats: list[str]  # every seat in the survey or the frame
    n_seats_obs: int  # seats[:n_seats_obs] have respondents
    groups: list[str]  # demographic names
    levels: list[list[str]]  # categories of each demographic (survey and frame together)
    cell_seat: np.ndarray  # survey cells: seat index
    cell_cat: np.ndarray  # survey cells: global category index per demographic (n_cells, n_groups)
    cell_votes: np.ndarray  # survey cells: votes per party (n_cells, n_parties)
    frame_seat: np.ndarray
    frame_cat: np.ndarray
    frame_count: np.ndarray
    seat_x: np.ndarray  # standardised seat predictors (n_seats, n_pred)
    predictors: list[str]


def seat_predictors(frame: pd.DataFrame, demo: Sequence[str]) -> list[str]:
    """Frame columns that can be seat-level predictors: numeric and constant within each seat.

    Anything else beyond ``seat``, the demographics and ``count`` is ignored (a numeric column
    that varies within a seat would be a cell-level quantity the survey does not have).
    """
    out = []
    for c in frame.columns:
        if c in ("seat", "count", *demo) or not pd.api.types.is_numeric_dtype(frame[c]):
            continue
        col = frame[c]
        if col.isna().any():
            continue
        if (frame.groupby("seat")[c].nunique() <= 1).all() and col.nunique() > 1:
            out.append(str(c))
    return out


def _design(survey: pd.DataFrame, frame: pd.DataFrame, demo: list[str], parties: list[str]) -> _Design:
    survey = survey[survey["vote"].isin(parties)]
    predictors = seat_predictors(frame, demo)
    seats_obs = sorted(set(survey["seat"]))
    seats = seats_obs + sorted(set(frame["seat"]) - set(seats_obs))
    seat_ix = {s: i for i, s in enumerate(seats)}
    levels = [sorted(set(survey[c]) | set(frame[c])) for c in demo]
    offsets = np.cumsum([0] + [len(lv) for lv in levels])[:-1]

    def cats(df: pd.DataFrame) -> np.ndarray:
        cols = [df[c].map({v: int(o) + i for i, v in enumerate(lv)}).to_numpy(dtype=np.int64)
                for c, lv, o in zip(demo, levels, offsets, strict=True)]
        return np.column_stack(cols) if cols else np.zeros((len(df), 0), dtype=np.int64)

    key = ["seat", *demo]
    votes = (survey.assign(n=1).pivot_table(index=key, columns="vote", values="n", aggfunc="sum", fill_value=0)
             .reindex(columns=parties, fill_value=0).reset_index())
    x = np.zeros((len(seats), len(predictors)))
    if predictors:
        per_seat = frame.groupby("seat")[predictors].first()
        missing = [s for s in seats_obs if s not in per_seat.index]
        if missing:
            raise DataError(f"seat {missing[0]!r} has respondents but no rows, so no value of the seat "
                            f"predictor(s) {', '.join(predictors)}", file="frame", field="seat")
        raw = per_seat.reindex(seats).to_numpy(dtype=float)
        sd = raw.std(axis=0)
        x = (raw - raw.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return _Design(
        parties=parties, seats=seats, n_seats_obs=len(seats_obs), groups=list(demo), levels=levels,
        cell_seat=votes["seat"].map(seat_ix).to_numpy(dtype=np.int64), cell_cat=cats(votes),
        cell_votes=votes[parties].to_numpy(dtype=np.int64),
        frame_seat=frame["seat"].map(seat_ix).to_numpy(dtype=np.int64), frame_cat=cats(frame),
        frame_count=frame["count"].to_numpy(dtype=float), seat_x=x, predictors=predictors,
    )


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence PyMC's progress log lines and PyTensor's no-BLAS warning while fitting.

    ``seatcast mrp fit -f json`` must print JSON only; and a pip-installed PyTensor warns that it
    found no BLAS, which for a model this small costs nothing worth a warning (and the test
    suite turns warnings into errors).
    """
    log = logging.getLogger("pymc")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS", category=UserWarning)
            yield
    finally:
        log.setLevel(level)


def _import_pymc() -> Any:
    require_extra("pymc", what="the PyMC engine (mrp fit --engine pymc)")
    import pymc as pm

    return pm


def fit_mrp_pymc(survey: pd.DataFrame, frame: pd.DataFrame, demo: list[str], parties: list[str], *,
                 seed: int = 0, draws: int | None = None, advi_steps: int = ADVI_STEPS) -> tuple[
                     pd.DataFrame, dict[str, float]]:
    """Fit the hierarchical multinomial model and post-stratify: (shares seat x party, seat sd per party).

    ``survey`` and ``frame`` are validated and string-typed by :func:`seatcast.models.mrp.fit_mrp`;
    ``parties`` lists the parties kept (the first is the reference). Respondents who voted for
    any other party are dropped, which matches the statsmodels engine's renormalisation over
    the kept parties. ``draws=None`` fits ADVI; an integer runs NUTS with that many draws per
    chain. The same ``seed`` gives the same shares, bit for bit, on the same machine.
    """
    with _quiet():
        pm = _import_pymc()
        return _fit(pm, _design(survey, frame, demo, parties), seed=seed, draws=draws, advi_steps=advi_steps)


def _fit(pm: Any, d: _Design, *, seed: int, draws: int | None, advi_steps: int
         ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Build the model on the design, fit it, post-stratify the posterior draws."""
    parties = d.parties
    k = len(parties) - 1  # non-reference parties
    n_groups = len(d.groups)
    n_cat = sum(len(lv) for lv in d.levels)
    cat_group = np.repeat(np.arange(n_groups), [len(lv) for lv in d.levels]).astype(np.int64)
    n_pred = d.seat_x.shape[1]
    # Seats without respondents are left out of the model (their effect would only be a prior
    # draw) and get prior draws at post-stratification instead.
    x_obs = d.seat_x[: d.n_seats_obs]

    with pm.Model() as model:
        alpha = pm.Normal("alpha", 0.0, 2.0, shape=k)
        tau = pm.HalfNormal("seat_sd", 1.0, shape=k)
        z_seat = pm.Normal("z_seat", 0.0, 1.0, shape=(d.n_seats_obs, k))
        eta = alpha + (z_seat * tau)[d.cell_seat]
        if n_groups:
            sigma = pm.HalfNormal("demo_sd", 1.0, shape=(n_groups, k))
            z_cat = pm.Normal("z_cat", 0.0, 1.0, shape=(n_cat, k))
            eta = eta + (z_cat * sigma[cat_group])[d.cell_cat].sum(axis=1)
        if n_pred:
            gamma = pm.Normal("gamma", 0.0, 1.0, shape=(n_pred, k))
            eta = eta + pm.math.dot(x_obs, gamma)[d.cell_seat]
        logits = pm.math.concatenate([pm.math.zeros((len(d.cell_seat), 1)), eta], axis=1)
        # The multinomial log-likelihood without its constant (the multinomial coefficients):
        # a smaller graph than pm.Multinomial's, so PyTensor compiles fewer C modules.
        pm.Potential("votes", (d.cell_votes * pm.math.log_softmax(logits, axis=1)).sum())

        names = ["alpha", "seat_sd", "z_seat"] + (["demo_sd", "z_cat"] if n_groups else []) + (
            ["gamma"] if n_pred else [])
        if draws is None:
            approx = pm.fit(advi_steps, method="advi", random_seed=seed, progressbar=False)
            post = _meanfield_draws(approx, names, np.random.default_rng([seed, 1]))
        else:
            idata = pm.sample(draws, tune=draws, chains=2, cores=1, random_seed=seed, progressbar=False, quiet=True,
                              compute_convergence_checks=False, var_names=names)
            post = {n: np.asarray(idata.posterior[n]).reshape(-1, *np.asarray(idata.posterior[n]).shape[2:])
                    for n in names}
    del model
    return _poststratify(d, post, seed), {
        p: float(v) for p, v in zip(parties[1:], post["seat_sd"].mean(axis=0), strict=True)}


def _meanfield_draws(approx: Any, names: list[str], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draws from a fitted mean-field ADVI approximation, in numpy.

    ``approx.sample`` would compile one more PyTensor function (about 7 s of C compilation on a
    cold cache, for a Gaussian draw). A mean-field group is a normal with mean ``mu`` and sd
    ``softplus(rho)`` per unconstrained coordinate; the only transform in this model is the log
    of the half-normal sds (``<name>_log__``), undone here with ``exp``.
    """
    group = approx.groups[0]
    mu = np.asarray(group.params_dict["mu"].get_value())
    sd = np.logaddexp(0.0, np.asarray(group.params_dict["rho"].get_value()))
    flat = mu + sd * rng.standard_normal((POSTERIOR_DRAWS, mu.size))
    out = {}
    for name in names:
        log = f"{name}_log__" in group.ordering
        _, sl, shape, _ = group.ordering[f"{name}_log__" if log else name]
        x = flat[:, sl].reshape(POSTERIOR_DRAWS, *shape)
        out[name] = np.exp(x) if log else x
    return out


def _poststratify(d: _Design, post: dict[str, np.ndarray], seed: int) -> pd.DataFrame:
    """Posterior-mean seat shares: each draw's cell probabilities weighted by ``count``, then averaged."""
    n_draws, k = post["alpha"].shape
    n_unseen = len(d.seats) - d.n_seats_obs
    # Posterior predictive seat effects for seats without respondents: a fresh N(0, 1) per draw.
    z_new = np.random.default_rng([seed, 7]).standard_normal((n_draws, n_unseen, k))
    z_seat = np.concatenate([post["z_seat"], z_new], axis=1)
    u = z_seat * post["seat_sd"][:, None, :]  # (draws, seats, k)
    eta = post["alpha"][:, None, :] + u[:, d.frame_seat]
    if d.groups:
        b = post["z_cat"] * post["demo_sd"][:, np.repeat(np.arange(len(d.groups)),
                                                          [len(lv) for lv in d.levels])]
        eta = eta + b[:, d.frame_cat].sum(axis=2)
    if "gamma" in post:
        eta = eta + np.einsum("sp,dpk->dsk", d.seat_x, post["gamma"])[:, d.frame_seat]
    logits = np.concatenate([np.zeros((*eta.shape[:2], 1)), eta], axis=2)
    logits -= logits.max(axis=2, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=2, keepdims=True)
    p_mean = p.mean(axis=0) * d.frame_count[:, None]  # post-stratification is linear in p
    sums = np.zeros((len(d.seats), len(d.parties)))
    np.add.at(sums, d.frame_seat, p_mean)
    weight = np.bincount(d.frame_seat, weights=d.frame_count, minlength=len(d.seats))
    present = weight > 0
    shares = pd.DataFrame(sums[present] / weight[present, None], columns=d.parties,
                          index=pd.Index([s for s, ok in zip(d.seats, present, strict=True) if ok], name="seat"))
    return shares.sort_index()
