"""The covariate model: seat changes from seat features, fitted on earlier elections only.

=================  ============================================================================
``features``       seat features (base position, Leave share, census, populist-right strength,
                   incumbency from the nominations, tactical advice)
``fit``            ridge per party on earlier election pairs, penalty by time-series CV
``kernel``         the seat-aware kernel, re-based so groups add up to their targets
=================  ============================================================================

Registered as the swing model ``covariate``: its ``factory`` fits (cached) on the store's
elections held before the projection's ``as_of`` and binds the kernel to the modelled seats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from seatcast.models import SwingModel, register_model
from seatcast.models.context import Kernel
from seatcast.models.covariate.features import (
    GROUPS,
    base_mps_of,
    boundaries_of,
    build_design,
    bundled_nominations,
    right_party,
    tactical_advice,
)
from seatcast.models.covariate.fit import Fitted, fitted_for
from seatcast.models.covariate.kernel import CovariateKernel, build_kernel
from seatcast.models.uniform import uniform_swing


def make_factory(groups: Sequence[str] = GROUPS, *, rebase: bool = True) -> Callable[[Any], Kernel]:
    """A factory using only the feature ``groups`` given (the ablation table drops one at a time)."""

    def factory(setup: Any) -> Kernel:
        from seatcast.data.store import Store

        context = setup.context
        base = context["base"]
        as_of: str | None = context.get("as_of")
        store = context.get("store") or Store()
        fitted = fitted_for(store, as_of, tuple(groups))
        earlier = [store.load(i) for i in store.ids()]
        earlier = [e for e in earlier if e.date and (as_of is None or e.date < as_of)]
        seat_ids = list(np.asarray(setup.frame.seat_ids)[setup.modelled])
        parties = setup.parties
        right = right_party(parties, setup.national_target)
        design = build_design(
            seat_ids=seat_ids, boundaries=boundaries_of(base), parties=parties, base=setup.ctx.base,
            base_nat=setup.ctx.base_national, group=setup.ctx.group, right=right, earlier=earlier,
            nominations=bundled_nominations(as_of) if as_of else {}, base_mps=base_mps_of(base),
            tactical=tactical_advice(as_of) if as_of else {},
        )
        return build_kernel(design, fitted.coef, parties, right, rebase=rebase)

    return factory


MODEL = SwingModel(
    "covariate", uniform_swing, "additive",
    "covariate-aware constituency model (fitted on earlier elections)", factory=make_factory(),
)
register_model(MODEL)

__all__ = ["MODEL", "CovariateKernel", "Fitted", "fitted_for", "make_factory"]
