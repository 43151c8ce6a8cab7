"""Bundled tactical-voting advice: which party each site recommended where, as published by a date.

A pure function of bundled files (``tactical/``): ``functools.cache`` is safe. Only advice
published on or before the date asked for is read, so a backtest sees what voters could see.
"""

from __future__ import annotations

from functools import cache

from seatcast.data.bundled import data_path
from seatcast.data.covariates import bundled_table

#: Tactical sites whose advice aims to beat the Conservatives (the pro-Brexit and
#: pro-Union sites aim elsewhere, Sprint for PR at a different goal).
TACTICAL_SITES: frozenset[str] = frozenset({
    "stopthetories.vote", "tactical.vote", "tacticalvote.co.uk", "getvoting.org",
    "tactical-vote.uk", "remainunited.org", "avaaz.org/votesmart2019",
})
#: Pro-Union tactical sites (Scotland): advice to beat the SNP, squeezing the other unionists.
UNIONIST_SITES: frozenset[str] = frozenset({"scotlandinunion.co.uk"})


@cache
def tactical_advice(date: str, sites: frozenset[str] = TACTICAL_SITES) -> dict[str, dict[str, float]]:
    """Seat -> party -> share of ``sites`` (anti-Conservative by default) recommending it (one party only)."""
    year = date[:4]
    name = f"tactical/tactical_recommendations_{year}.csv.gz"
    if not data_path(name).exists():
        return {}
    df = bundled_table(name)
    df = df[df["source"].isin(sites) & (df["published"] <= date)]
    out: dict[str, dict[str, float]] = {}
    for sid, rows in df.groupby("ons_id"):
        n = len(rows)
        recs = rows["recommended_party"].fillna("")
        single = recs[~recs.str.contains(r"\|") & ~recs.isin(["", "any"])]
        counts = single.map(lambda p: "right" if p == "ukip_brexit_reform" else p).value_counts()
        out[str(sid)] = {str(p): float(k) / n for p, k in counts.items()}
    return out
