"""The ablation table: the covariate model refitted with one group of features left out at a time.

Each variant is a plain :class:`~seatcast.models.SwingModel` value named ``covariate-<group>``
(``covariate-none``: no group at all, i.e. uniform swing per nation re-based to the targets;
``covariate+<group>``: the full model plus an opt-in group of
:data:`~seatcast.models.covariate.features.OPTIONAL_GROUPS`), handed straight to the backtest
(never added to the shared model registry, which the web server reads from other threads) and
backtested like the full model, so the table in ``docs/covariate-model.md`` can be reproduced::

    from seatcast.fit.ablation import ablation
    for row in ablation(store):
        print(row)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seatcast.backtest.runner import run_backtest
from seatcast.data.store import Store
from seatcast.fit.registry import source
from seatcast.models import SwingModel, get_model
from seatcast.models.covariate import variant as covariate_variant
from seatcast.models.covariate.features import GROUPS, OPTIONAL_GROUPS

ELECTIONS: tuple[str, ...] = ("ge2017", "ge2019", "ge2024")


def variant(drop: str) -> SwingModel:
    """The model without group ``drop`` (``"none"``: without every group).

    ``drop`` written ``+group`` adds an opt-in group to the full model instead.
    """
    if drop.startswith("+"):
        groups: tuple[str, ...] = (*GROUPS, drop[1:])
    else:
        groups = () if drop == "none" else tuple(g for g in GROUPS if g != drop)
    what = f"with {drop[1:]}" if drop.startswith("+") else f"without {drop}"
    return covariate_variant(groups, _name(drop), f"covariate model {what}")


DROPS: tuple[str, ...] = ("none", *GROUPS, *(f"+{opt}" for opt in OPTIONAL_GROUPS))


def ablation(store: Store, drops: Sequence[str] = DROPS,
             elections: Sequence[str] = ELECTIONS, inputs: Sequence[str] = ("polls", "actual")) -> list[dict[str, Any]]:
    """GB seats right for the full model and each variant: one dict per variant, keyed ``ge2024/polls``..."""
    fits = source(store)
    rows = []
    for drop in ("all", *drops):
        model = get_model("covariate") if drop == "all" else variant(drop)
        row: dict[str, Any] = {"variant": drop}
        for e in elections:
            for i in inputs:
                result = run_backtest(e, model=model, inputs=i, by_nation=True, store=store, fits=fits)
                row[f"{e}/{i}"] = result.seats_correct_gb
        rows.append(row)
    return rows


def _name(drop: str) -> str:
    return f"covariate{drop}" if drop.startswith("+") else f"covariate-{drop}"
