"""The ablation table: the covariate model refitted with one group of features left out at a time.

Each variant is registered, for the duration of the call only, as a swing model named
``covariate-<group>`` (``covariate-none``: no group at all, i.e. uniform swing per nation re-based
to the targets; ``covariate+<group>``: the full model plus an opt-in group of
:data:`~.features.OPTIONAL_GROUPS`) and backtested like the full model, so the table in ``docs/covariate-model.md``
can be reproduced::

    from seatcast.models.covariate.ablation import ablation
    for row in ablation(store):
        print(row)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seatcast.models import MODELS, SwingModel, register_model
from seatcast.models.covariate import make_factory
from seatcast.models.covariate.features import GROUPS, OPTIONAL_GROUPS
from seatcast.models.uniform import uniform_swing

ELECTIONS: tuple[str, ...] = ("ge2017", "ge2019", "ge2024")


def variant(drop: str) -> str:
    """Register (once) the model without group ``drop`` (``"none"``: without every group); its name.

    ``drop`` written ``+group`` adds an opt-in group to the full model instead.
    """
    name = _name(drop)
    if name not in MODELS:
        if drop.startswith("+"):
            groups = (*GROUPS, drop[1:])
        else:
            groups = () if drop == "none" else tuple(g for g in GROUPS if g != drop)
        what = f"with {drop[1:]}" if drop.startswith("+") else f"without {drop}"
        register_model(SwingModel(name, uniform_swing, "additive", f"covariate model {what}",
                                  factory=make_factory(groups)))
    return name


DROPS: tuple[str, ...] = ("none", *GROUPS, *(f"+{opt}" for opt in OPTIONAL_GROUPS))


def ablation(store: Any, drops: Sequence[str] = DROPS,
             elections: Sequence[str] = ELECTIONS, inputs: Sequence[str] = ("polls", "actual")) -> list[dict[str, Any]]:
    """GB seats right for the full model and each variant: one dict per variant, keyed ``ge2024/polls``..."""
    from seatcast.backtest.runner import run_backtest

    rows = []
    added = [name for name in (_name(d) for d in drops) if name not in MODELS]
    for d in drops:
        variant(d)
    try:
        for drop in ("all", *drops):
            model = "covariate" if drop == "all" else _name(drop)
            row: dict[str, Any] = {"variant": drop}
            for e in elections:
                for i in inputs:
                    result = run_backtest(e, model=model, inputs=i, by_nation=True, store=store)
                    row[f"{e}/{i}"] = result.seats_correct_gb
            rows.append(row)
    finally:
        for name in added:
            MODELS.pop(name, None)
    return rows


def _name(drop: str) -> str:
    return f"covariate{drop}" if drop.startswith("+") else f"covariate-{drop}"
