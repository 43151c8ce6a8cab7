"""Swing models: pure numpy kernels from base shares and national targets to seat shares.

========================  =====================================================
``uns``                   :func:`~seatcast.models.uniform.uniform_swing`
``proportional``          :func:`~seatcast.models.proportional.proportional_swing`
``transition``            :func:`~seatcast.models.transition.transition_swing`
========================  =====================================================

Each model also says how a GB-wide target becomes a target per nation (``conversion``):
``additive`` keeps each party's change in points the same in every nation, ``ratio`` keeps the
ratio; a party that stands in one nation only has its GB change scaled up to that nation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from seatcast.errors import UnknownNameError
from seatcast.models.context import Kernel, SwingContext
from seatcast.models.proportional import proportional_swing
from seatcast.models.transition import transition_swing
from seatcast.models.uniform import uniform_swing


class FittedParams(Protocol):
    """What a seat-aware model needs of a fitted model (:class:`seatcast.fit.fitted.FittedModel` is one)."""

    @property
    def id(self) -> str:
        """Short hash naming the fit (kernels cache on it)."""
        ...

    @property
    def params(self) -> Mapping[str, Any]:
        """The fitted numbers, JSON values only."""
        ...


#: Supplies a fitted model: ``(kind, as_of, options) -> fit``. The API passes one bound to its
#: store (:func:`seatcast.fit.registry.source`); kernels never fit anything themselves.
FitSource = Callable[[str, date | None, Mapping[str, Any]], FittedParams]


@dataclass(frozen=True)
class SwingModel:
    """A named model: its kernel and how it spreads a GB target over nations."""

    name: str
    kernel: Kernel
    conversion: str  # "additive" or "ratio"
    description: str
    #: Optional: builds a seat-aware kernel from the prepared projection setup and, for a model
    #: with ``fitted_kind``, its fitted parameters (a model fitted on covariates needs to know
    #: the seats, what was known when and what was learned). Called by
    #: :func:`seatcast.projection.prepare`; the returned kernel replaces ``kernel`` there.
    factory: Callable[[Any, FittedParams | None], Kernel] | None = None
    #: The kind of fitted model the factory needs (``None``: none), and the fit's options as
    #: ``(name, value)`` pairs (hashable and picklable: a setup travels to worker processes).
    fitted_kind: str | None = None
    fit_options: tuple[tuple[str, Any], ...] = ()


MODELS: dict[str, SwingModel] = {
    "uns": SwingModel("uns", uniform_swing, "additive", "uniform national swing"),
    "proportional": SwingModel("proportional", proportional_swing, "ratio", "proportional (ratio) swing"),
    "transition": SwingModel("transition", transition_swing, "additive", "strong transition model"),
}


def get_model(name: str) -> SwingModel:
    """Look a model up by name."""
    try:
        return MODELS[name.lower()]
    except KeyError:
        raise UnknownNameError("model", name, MODELS) from None


def register_model(model: SwingModel) -> None:
    """Add a model to the registry (used by optional model modules)."""
    MODELS[model.name] = model


__all__ = ["MODELS", "FitSource", "FittedParams", "SwingContext", "SwingModel", "get_model", "register_model"]
import seatcast.models.covariate  # noqa: E402, F401  (registers the "covariate" model)
