"""Final pre-election polls, bundled, and their averages (the ``--inputs polls`` of a backtest).

The GB file holds each pollster's last poll in the final week; the nation file Scotland-only
and Wales-only polls. The average keeps one row per pollster (the later of two; a standard poll
over an MRP published on the same day) and takes each party's mean over the polls that gave it
a figure. Parties no poll names share the remainder at their base proportions downstream.
"""

from __future__ import annotations

import io
from functools import cache

import pandas as pd

from seatcast.data.bundled import open_text
from seatcast.errors import UnknownNameError

ELECTION_DATES: dict[str, str] = {
    "ge2010": "2010-05-06",
    "ge2015": "2015-05-07",
    "ge2017": "2017-06-08",
    "ge2019": "2019-12-12",
    "ge2024": "2024-07-04",
}

_RIGHT = {"ge2010": "ukip", "ge2015": "ukip", "ge2017": "ukip", "ge2019": "brx", "ge2024": "ruk"}
_COLUMNS = {"con": "con", "lab": "lab", "ld": "ld", "snp": "snp", "pc": "pc", "grn": "green"}


@cache
def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(open_text(f"polls/{name}.csv.gz")))


def final_polls(election: str, nation: str | None = None) -> pd.DataFrame:
    """The final polls of an election, one row per pollster, party codes as columns (percent)."""
    if election not in ELECTION_DATES:
        raise UnknownNameError("election with final polls", election, ELECTION_DATES)
    date = ELECTION_DATES[election]
    if nation is None:
        df = _table("final_polls")
        df = df[df["election_date"] == date].copy()
    else:
        df = _table("final_polls_scotland_wales")
        df = df[(df["election_date"] == date) & (df["nation"].str.lower() == nation.lower())].copy()
    df["house"] = df["pollster"].str.replace(r"\s*\(MRP\)$", "", regex=True)
    df["is_mrp"] = df["pollster"].str.endswith("(MRP)")
    df = df.sort_values(["house", "fieldwork_end", "is_mrp"], ascending=[True, True, False], na_position="first")
    df = df.groupby("house", as_index=False).tail(1)
    cols = {**_COLUMNS, "ukip_brexit_reform": _RIGHT[election]}
    out = df[["pollster", "fieldwork_end", "sample_size", *cols]].rename(columns=cols)
    return out.reset_index(drop=True)


def poll_average(election: str, nation: str | None = None) -> dict[str, float]:
    """Mean share (percent) per party over the final polls of ``election`` (GB, or one nation)."""
    df = final_polls(election, nation)
    parties = [c for c in df.columns if c not in {"pollster", "fieldwork_end", "sample_size"}]
    means = df[parties].mean(skipna=True)
    return {str(p): round(float(v), 4) for p, v in means.items() if pd.notna(v)}


def nation_poll_averages(election: str) -> dict[str, dict[str, float]]:
    """Scotland and Wales final-poll averages where the bundled file has them."""
    out = {}
    for nation in ("Scotland", "Wales"):
        avg = poll_average(election, nation)
        if avg:
            out[nation] = avg
    return out
