"""The covariate model: seat changes from seat features, fitted on earlier elections only.

=================  ============================================================================
``ablation``       the ablation table: the model refitted without one group at a time
``features``       seat features (base position, Leave share, census, populist-right strength,
                   incumbency from the nominations, tactical advice)
``fit``            the mechanisms and a ridge per party on earlier election pairs, penalty by
                   time-series CV
``kernel``         the seat-aware kernel: structural swing, covariate terms, tactical squeeze,
                   re-based so groups add up to their targets
=================  ============================================================================

Registered as the swing model ``covariate``: its ``factory`` fits (cached) on the store's
elections held before the projection's ``as_of`` and binds the kernel to the modelled seats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from seatcast.models import SwingModel, register_model
from seatcast.models.context import Kernel
from seatcast.models.covariate.features import GROUPS, UNIONIST_SITES, bundled_nominations, tactical_advice
from seatcast.models.covariate.fit import Fitted, bind, fitted_for, kernel_for
from seatcast.models.covariate.kernel import CovariateKernel
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
        bound = bind(setup, earlier=earlier, nominations=bundled_nominations(as_of) if as_of else {},
                     base_election=base, advice=tactical_advice(as_of) if as_of else {},
                     unionist_advice=tactical_advice(as_of, UNIONIST_SITES) if as_of else {},
                     byelections=fitted.byelections)
        return kernel_for(bound, fitted, setup.parties, setup.ctx, rebase=rebase)

    return factory


MODEL = SwingModel(
    "covariate", uniform_swing, "additive",
    "covariate-aware constituency model (fitted on earlier elections)", factory=make_factory(),
)
register_model(MODEL)

__all__ = ["MODEL", "CovariateKernel", "Fitted", "fitted_for", "make_factory"]
