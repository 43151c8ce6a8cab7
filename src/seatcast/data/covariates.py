"""Bundled seat covariates: the 2016 Leave share and census demography per seat, gaps imputed.

Pure functions of bundled files (``covariates/``), so ``functools.cache`` is safe; the frames
returned are shared: callers must not modify them. Read by the covariate model's features.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pandas as pd

from seatcast.data.bundled import open_text

DEMOGRAPHY = ("share_level4plus_qual", "share_age_65plus", "share_white_british", "share_muslim")
#: Census columns of the ``realign`` group (constant trends, beside the Leave share).
REALIGN: tuple[str, ...] = ("share_fulltime_students",)


@cache
def bundled_table(relative: str) -> pd.DataFrame:
    """A bundled (gzipped) CSV as a data frame, read once (shared: do not modify it)."""
    return pd.read_csv(io.StringIO(open_text(relative)))


@cache
def covariates(boundaries: str) -> pd.DataFrame:
    """Leave share and demography per seat id on ``2010`` or ``2024`` boundaries, gaps imputed.

    Scotland's 2022 census lacks qualifications on the 2024 boundaries: they are predicted from
    the columns it has by a least-squares fit on the seats of England and Wales.
    """
    b = "2024" if boundaries == "2024" else "2010"
    leave = bundled_table(f"covariates/eu_ref_leave_2016_by_constituency_{b}boundaries.csv.gz")
    demo = bundled_table(f"covariates/demographics_{b}boundaries.csv.gz")
    df = leave[["ons_id", "leave_share"]].merge(demo[["ons_id", *DEMOGRAPHY, *REALIGN, "population"]], on="ons_id",
                                                 how="left").set_index("ons_id")
    have = ["leave_share", "share_age_65plus", "share_white_british", "share_muslim"]
    for col in (*DEMOGRAPHY, *REALIGN):
        miss = df[col].isna() & df["population"].notna()
        if miss.any():
            ok = df[col].notna()
            x = np.column_stack([np.ones(int(ok.sum())), df.loc[ok, have].to_numpy(float)])
            beta = np.linalg.lstsq(x, df.loc[ok, col].to_numpy(float), rcond=None)[0]
            xm = np.column_stack([np.ones(int(miss.sum())), df.loc[miss, have].to_numpy(float)])
            df.loc[miss, col] = xm @ beta
    return df
