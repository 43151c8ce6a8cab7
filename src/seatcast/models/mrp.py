"""Multilevel regression and post-stratification (MRP) from survey microdata.

A user with a poll's respondents (their vote, demographics and seat) and a post-stratification
table (how many people of each demographic cell live in each seat) can estimate every seat's
shares: a multilevel regression of the vote on the demographic categories with a random
intercept per seat, then each cell's predicted probabilities weighted by the cell's count.

Two engines, chosen with ``engine``:

* ``"vb"`` (default): statsmodels' ``BinomialBayesMixedGLM`` fitted by variational Bayes, one
  binary model per party ("this party or any other", demographic fixed effects, seat random
  intercept), the parties renormalised per seat. Fast and always installed.
* ``"pymc"``: one hierarchical multinomial logit over all parties in PyMC, with partially pooled
  demographic effects, a seat intercept per party and seat-level predictors taken from the
  frame (see :mod:`seatcast.models.mrp_pymc`). PyMC brings PyTensor, which compiles C on first
  use, so it is the optional extra ``seatcast[mrp]`` and imported only when asked for.

Both are checked against :func:`synthetic` data generated from known coefficients (the tests).

File formats (CSV): the survey has ``seat``, ``vote`` and one column per demographic; the
frame has ``seat``, the same demographic columns and ``count``, plus (``pymc`` engine only)
any numeric columns constant within a seat, used as seat-level predictors.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seatcast.errors import DataError, InputError, check_seed

ENGINES = ("vb", "pymc")


@dataclass(frozen=True)
class MrpResult:
    """Post-stratified shares per seat (rows) and party (columns), and the fitted seat effects."""

    shares: pd.DataFrame
    seat_sd: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: ``seats`` (seat -> party -> share) and ``seat_sd`` per party."""
        return {
            "seats": {str(s): {str(p): round(float(v), 6) for p, v in row.items()}
                      for s, row in self.shares.iterrows()},
            "seat_sd": {p: round(v, 6) for p, v in self.seat_sd.items()},
        }


def _check(df: pd.DataFrame, need: Sequence[str], file: str) -> None:
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", file=file, field=missing[0])


def _first_row(mask: pd.Series | np.ndarray) -> int:
    """The spreadsheet row (header = row 1) of the first true entry of ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 2


def _validate(survey: pd.DataFrame, frame: pd.DataFrame, sources: tuple[str, str], engine: str
              ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Check both tables before any engine sees them; return them as strings, and the demographics.

    Both engines assume what is checked here: every survey category has cells in the frame to
    post-stratify to (otherwise the vb design matrices differ in width and numpy fails deep
    inside), counts are non-negative numbers, and no cell is blank (pandas would read a blank
    as the category ``"nan"``).
    """
    s_name, f_name = sources
    _check(survey, ["seat", "vote"], s_name)
    _check(frame, ["seat", "count"], f_name)
    demo = [str(c) for c in survey.columns if c not in ("seat", "vote")]
    if not demo:
        raise DataError("no demographic column: give seat, vote and at least one demographic (e.g. age), "
                        "the same columns as the frame has", file=s_name)
    _check(frame, demo, f_name)
    if survey.empty:
        raise DataError("no respondents (the file has a header only)", file=s_name)
    if frame.empty:
        raise DataError("no cells (the file has a header only)", file=f_name)
    for df, name, cols in ((survey, s_name, ["seat", "vote", *demo]), (frame, f_name, ["seat", *demo])):
        for c in cols:
            blank = df[c].isna() | (df[c].astype(str).str.strip() == "")
            if blank.any():
                raise DataError("blank cell", file=name, row=_first_row(blank), field=c)
    count = pd.to_numeric(frame["count"], errors="coerce")
    bad = count.isna() | ~np.isfinite(count.fillna(0.0)) | (count < 0)
    if bad.any():
        i = _first_row(bad) - 2
        raise DataError(f"{str(frame['count'].iloc[i])!r} is not a non-negative number", file=f_name,
                        row=i + 2, field="count")
    survey = survey.astype({"seat": str, "vote": str, **{c: str for c in demo}})
    frame = frame.astype({"seat": str, **{c: str for c in demo}}).assign(count=count.astype(float))
    totals = frame.groupby("seat")["count"].sum()
    if (totals <= 0).any():
        raise DataError(f"seat {totals.index[totals <= 0][0]!r} has no people (its counts add up to 0)",
                        file=f_name, field="count")
    for c in demo:
        s_levels, f_levels = set(survey[c]), set(frame[c])
        missing = sorted(s_levels - f_levels)
        if missing:
            raise DataError(f"category {missing[0]!r} is in the survey but in no row of the frame, so its "
                            "respondents have no one to post-stratify to (add its cells or recode it)",
                            file=f_name, field=c)
        extra = sorted(f_levels - s_levels)
        if extra and engine == "vb":
            raise DataError(f"category {extra[0]!r} has no respondents in the survey, so the vb engine cannot "
                            "estimate it (recode it, or use --engine pymc, which pools categories)",
                            file=f_name, row=_first_row(frame[c] == extra[0]), field=c)
    return survey, frame, demo


def fit_mrp(survey: pd.DataFrame, frame: pd.DataFrame, *, min_votes: int = 5, engine: str = "vb",
            seed: int = 0, draws: int | None = None, sources: tuple[str, str] = ("survey", "frame")
            ) -> MrpResult:
    """Fit the parties with at least ``min_votes`` respondents and post-stratify to every seat.

    ``engine`` is ``"vb"`` (statsmodels, the default) or ``"pymc"``; ``seed`` and ``draws``
    (NUTS draws per chain instead of ADVI) apply to ``"pymc"`` only, the variational fit being
    deterministic. ``sources`` names the two tables in errors (their file paths, when read from
    files).
    """
    if engine not in ENGINES:
        raise InputError(f"unknown MRP engine {engine!r}; choose one of {', '.join(ENGINES)}")
    check_seed(seed)
    if draws is not None and draws < 1:
        raise InputError(f"draws must be a positive integer, not {draws}")
    s_name = sources[0]
    survey, frame, demo = _validate(survey, frame, sources, engine)
    unknown = sorted(set(frame["seat"]) - set(survey["seat"]))
    counts = survey["vote"].value_counts()
    parties = [str(p) for p, n in counts.items() if n >= min_votes]
    if len(parties) < 2:
        raise DataError(f"need at least two parties with {min_votes}+ respondents, found {len(parties)} "
                        f"({len(survey)} respondents in all)", file=s_name, field="vote")
    if engine == "pymc":
        from seatcast.models.mrp_pymc import fit_mrp_pymc

        agg, seat_sd = fit_mrp_pymc(survey, frame, demo, parties, seed=seed, draws=draws)
    else:
        agg, seat_sd = _fit_vb(survey, frame, demo, parties)
    finite = np.isfinite(agg.to_numpy(dtype=float)).all(axis=1) if len(agg) else np.array([], dtype=bool)
    if not finite.all() or len(agg) == 0:
        # A table with no seats, or with blank seats, must never pass for a result.
        bad = [str(s) for s, ok in zip(agg.index, finite, strict=True) if not ok]
        raise DataError("the fit gave no usable seat shares" + (f" (seat {bad[0]!r})" if bad else "")
                        + ": too few respondents or cells for the model", file=s_name)
    if unknown:
        agg.attrs["seats_without_respondents"] = unknown
    return MrpResult(shares=agg, seat_sd=seat_sd)


def _fit_vb(survey: pd.DataFrame, frame: pd.DataFrame, demo: list[str], parties: list[str]
            ) -> tuple[pd.DataFrame, dict[str, float]]:
    """One statsmodels variational mixed GLM per party, post-stratified and renormalised."""
    from patsy import dmatrix  # type: ignore[import-untyped]
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    formula = "y ~ " + (" + ".join(f"C({c})" for c in demo) if demo else "1")
    probs: dict[str, np.ndarray] = {}
    seat_sd: dict[str, float] = {}
    cells = frame.copy()
    cells["y"] = 0.0
    seats = sorted(set(survey["seat"]))
    for party in parties:
        data = survey.assign(y=(survey["vote"] == party).astype(float))
        model = BinomialBayesMixedGLM.from_formula(formula, {"seat": "0 + C(seat)"}, data)
        res = model.fit_vb()
        k_fe = model.k_fep
        fe = np.asarray(res.fe_mean)
        re = dict(zip(seats, np.asarray(res.vc_mean), strict=True))
        seat_sd[party] = float(np.exp(np.asarray(res.vcp_mean)[0]))
        x = np.asarray(dmatrix(formula.split("~", 1)[1], cells, return_type="dataframe"))[:, :k_fe]
        eta = x @ fe + np.array([re.get(s, 0.0) for s in cells["seat"]])
        probs[party] = 1.0 / (1.0 + np.exp(-eta))
    cells = cells.assign(**{f"p_{p}": probs[p] * cells["count"].astype(float) for p in parties})
    agg = cells.groupby("seat")[[f"p_{p}" for p in parties]].sum()
    agg.columns = parties
    agg = agg.div(agg.sum(axis=1), axis=0)
    return agg, seat_sd


def fit_mrp_files(survey: str | Path, frame: str | Path, *, engine: str = "vb", seed: int = 0,
                  draws: int | None = None) -> MrpResult:
    """Read the two CSV files and fit (see the module docstring for their columns)."""
    tables = []
    for path in (survey, frame):
        try:
            tables.append(pd.read_csv(path))
        except pd.errors.EmptyDataError:
            raise DataError("empty file (expected a header row)", file=str(path), row=1) from None
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise DataError(f"cannot read CSV: {exc}", file=str(path)) from None
    return fit_mrp(tables[0], tables[1], engine=engine, seed=seed, draws=draws,
                   sources=(str(survey), str(frame)))


def synthetic(seed: int | np.random.SeedSequence, *, n_seats: int = 20, n_respondents: int = 4000,
              n_parties: int = 2) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A survey, a frame and the true post-stratified shares, from known coefficients.

    Two parties ``a``/``b`` (``b`` is everything else), two demographics (``age`` in three
    bands, ``edu`` in two) and a seat effect; the truth is computed from the same model.
    ``n_parties=3`` gives the multinomial version of :func:`synthetic3` instead.
    """
    if n_parties == 3:
        return synthetic3(seed, n_seats=n_seats, n_respondents=n_respondents)
    if n_parties != 2:
        raise InputError(f"synthetic data has 2 or 3 parties, not {n_parties}")
    rng = np.random.default_rng(seed)
    ages, edus = ["young", "mid", "old"], ["low", "high"]
    b_age = {"young": -0.8, "mid": 0.0, "old": 0.9}
    b_edu = {"low": 0.5, "high": -0.6}
    seat_fx = rng.normal(0, 0.5, n_seats)
    rows = []
    for s in range(n_seats):
        mix = rng.dirichlet(np.full(6, 4.0))
        for k, (a, e) in enumerate((a, e) for a in ages for e in edus):
            rows.append({"seat": f"S{s:02d}", "age": a, "edu": e, "count": int(1000 * mix[k]) + 1})
    frame = pd.DataFrame(rows)
    frame["p"] = 1 / (1 + np.exp(-(frame["age"].map(b_age) + frame["edu"].map(b_edu)
                                   + seat_fx[frame["seat"].str[1:].astype(int)])))
    pick = rng.choice(len(frame), size=n_respondents, p=frame["count"] / frame["count"].sum())
    resp = frame.iloc[pick].reset_index(drop=True)
    vote = np.where(rng.random(n_respondents) < resp["p"], "a", "b")
    survey = pd.DataFrame({"seat": resp["seat"], "age": resp["age"], "edu": resp["edu"], "vote": vote})
    truth_a = frame.assign(w=frame["p"] * frame["count"]).groupby("seat")["w"].sum() / frame.groupby("seat")[
        "count"].sum()
    truth = pd.DataFrame({"a": truth_a, "b": 1 - truth_a})
    return survey, frame.drop(columns="p"), truth


# Known logits of parties a and b against c, for synthetic3.
_ALPHA3 = np.array([0.3, 0.0])
_AGE3 = {"young": np.array([-0.8, 0.6]), "mid": np.array([0.0, 0.2]), "old": np.array([0.9, -0.5])}
_EDU3 = {"low": np.array([0.5, -0.4]), "high": np.array([-0.6, 0.5])}
_LEAVE3 = np.array([0.6, -0.4])  # per standard deviation of the seat's Leave share
_SEAT_SD3 = np.array([0.2, 0.2])


def synthetic3(seed: int | np.random.SeedSequence, *, n_seats: int = 40, n_respondents: int = 4000
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three parties from a multinomial logit with a seat-level predictor, and the true shares.

    Parties ``a``, ``b``, ``c`` (logits against ``c``: intercept, ``age`` and ``edu`` effects,
    a seat effect per party and the seat's ``leave`` share, a column of the frame constant
    within each seat). Respondents are drawn in proportion to the cells' counts, so a seat's
    sample is small and noisy: the case MRP is for. The truth is each seat's count-weighted
    mean of the cell probabilities, the quantity MRP estimates.
    """
    rng = np.random.default_rng(seed)
    ages, edus = list(_AGE3), list(_EDU3)
    z_leave = rng.standard_normal(n_seats)
    seat_fx = rng.normal(0.0, 1.0, (n_seats, 2)) * _SEAT_SD3
    rows = []
    for s in range(n_seats):
        mix = rng.dirichlet(np.full(6, 2.0))
        for k, (a, e) in enumerate((a, e) for a in ages for e in edus):
            rows.append({"seat": f"S{s:02d}", "age": a, "edu": e, "count": int(1000 * mix[k]) + 1,
                         "leave": round(0.5 + 0.1 * float(z_leave[s]), 4)})
    frame = pd.DataFrame(rows)
    si = frame["seat"].str[1:].astype(int).to_numpy()
    eta = (_ALPHA3 + np.stack([_AGE3[a] for a in frame["age"]]) + np.stack([_EDU3[e] for e in frame["edu"]])
           + seat_fx[si] + np.outer(z_leave[si], _LEAVE3))
    expo = np.exp(np.column_stack([eta, np.zeros(len(frame))]))
    p = expo / expo.sum(axis=1, keepdims=True)
    pick = rng.choice(len(frame), size=n_respondents, p=frame["count"] / frame["count"].sum())
    u = rng.random(n_respondents)[:, None]
    choice = (u > np.cumsum(p[pick], axis=1)).sum(axis=1).clip(max=2)
    parties = np.array(["a", "b", "c"])
    resp = frame.iloc[pick].reset_index(drop=True)
    survey = pd.DataFrame({"seat": resp["seat"], "age": resp["age"], "edu": resp["edu"], "vote": parties[choice]})
    w = p * frame["count"].to_numpy()[:, None]
    truth = pd.DataFrame(w, columns=parties).groupby(frame["seat"]).sum()
    truth = truth.div(truth.sum(axis=1), axis=0)
    truth.index.name = "seat"
    return survey, frame, truth
