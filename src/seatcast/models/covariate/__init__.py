"""The covariate model: seat changes from seat features, fitted on earlier elections only.

=================  ============================================================================
``features``       seat features (base position, Leave share, census, populist-right strength,
                   incumbency from the nominations, tactical advice)
``binding``        the fitted numbers (:class:`~.binding.Fitted`) and the kernel bound to a
                   projection's seats
``kernel``         the seat-aware kernel: structural swing, covariate terms, tactical squeeze,
                   re-based so groups add up to their targets
=================  ============================================================================

Registered as the swing model ``covariate``: its ``factory`` receives the fit (made by
:mod:`seatcast.fit.covariate` on the store's elections held before the projection's ``as_of``,
loaded from the store by the caller) and binds the kernel to the modelled seats. The fitting
and the ablation table live in :mod:`seatcast.fit`, above the backtests they run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from seatcast.errors import InputError
from seatcast.models import FittedParams, SwingModel, register_model
from seatcast.models.context import Kernel
from seatcast.models.covariate.binding import Fitted, bind, kernel_for
from seatcast.models.covariate.features import GROUPS, UNIONIST_SITES, bundled_nominations, tactical_advice
from seatcast.models.covariate.kernel import CovariateKernel
from seatcast.models.uniform import uniform_swing


def make_factory(*, rebase: bool = True) -> Callable[[Any, FittedParams | None], Kernel]:
    """A factory binding the fitted parameters it is given to a projection's seats."""

    def factory(setup: Any, fitted: FittedParams | None) -> Kernel:
        from seatcast.data.store import Store

        if fitted is None:
            raise InputError("the covariate model needs its fitted parameters (seatcast.api supplies them)")
        params = Fitted.from_params(fitted.params)
        context = setup.context
        base = context["base"]
        as_of: str | None = context.get("as_of")
        store = context.get("store") or Store()
        earlier = [store.load(i) for i in store.ids()]
        earlier = [e for e in earlier if e.date and (as_of is None or e.date.isoformat() < as_of)]
        bound = bind(setup, earlier=earlier, nominations=bundled_nominations(as_of) if as_of else {},
                     base_election=base, advice=tactical_advice(as_of) if as_of else {},
                     unionist_advice=tactical_advice(as_of, UNIONIST_SITES) if as_of else {},
                     byelections=params.byelections)
        return kernel_for(bound, params, setup.parties, setup.ctx, rebase=rebase)

    return factory


def variant(groups: Sequence[str], name: str = "covariate", description: str = "") -> SwingModel:
    """The covariate model with only the feature ``groups`` given (the ablation drops one at a time).

    A plain value: nothing is registered, so variants never touch the shared :data:`MODELS`.
    """
    return SwingModel(name, uniform_swing, "additive",
                      description or "covariate-aware constituency model (fitted on earlier elections)",
                      factory=make_factory(), fitted_kind="covariate", fit_options=(("groups", tuple(groups)),))


MODEL = variant(GROUPS)
register_model(MODEL)

__all__ = ["MODEL", "CovariateKernel", "Fitted", "make_factory", "variant"]
