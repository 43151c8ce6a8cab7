"""Multilevel regression and post-stratification (MRP) from survey microdata.

A user with a poll's respondents (their vote, demographics and seat) and a post-stratification
table (how many people of each demographic cell live in each seat) can estimate every seat's
shares: for each party, a multilevel logistic regression of "votes for the party" on the
demographic categories (fixed effects) with a random intercept per seat, then each cell's
predicted probability weighted by the cell's count, and the parties renormalised per seat.

The regression is statsmodels' ``BinomialBayesMixedGLM`` fitted by variational Bayes (a fast
approximation to the full posterior). A PyMC version was not added: PyMC brings PyTensor,
which compiles C at import and first use, too heavy for a default install and for the test
budget; the variational fit recovers known coefficients on synthetic data (see the tests).

File formats (CSV): the survey has ``seat``, ``vote`` and one column per demographic; the
frame has ``seat``, the same demographic columns and ``count``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seatcast.errors import DataError


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


def fit_mrp(survey: pd.DataFrame, frame: pd.DataFrame, *, min_votes: int = 5) -> MrpResult:
    """Fit one multilevel model per party (with at least ``min_votes`` respondents) and post-stratify."""
    from patsy import dmatrix  # type: ignore[import-untyped]
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    _check(survey, ["seat", "vote"], "survey")
    _check(frame, ["seat", "count"], "frame")
    demo = [c for c in survey.columns if c not in ("seat", "vote")]
    _check(frame, demo, "frame")
    survey = survey.astype({"seat": str, "vote": str, **{c: str for c in demo}})
    frame = frame.astype({"seat": str, **{c: str for c in demo}})
    unknown = sorted(set(frame["seat"]) - set(survey["seat"]))
    counts = survey["vote"].value_counts()
    parties = [str(p) for p, n in counts.items() if n >= min_votes]
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
    if unknown:
        agg.attrs["seats_without_respondents"] = unknown
    return MrpResult(shares=agg, seat_sd=seat_sd)


def fit_mrp_files(survey: str | Path, frame: str | Path) -> MrpResult:
    """Read the two CSV files and fit (see the module docstring for their columns)."""
    return fit_mrp(pd.read_csv(survey), pd.read_csv(frame))


def synthetic(seed: int | np.random.SeedSequence, *, n_seats: int = 20, n_respondents: int = 4000
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A survey, a frame and the true post-stratified shares, from known coefficients.

    Two parties ``a``/``b`` (``b`` is everything else), two demographics (``age`` in three
    bands, ``edu`` in two) and a seat effect; the truth is computed from the same model.
    """
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
