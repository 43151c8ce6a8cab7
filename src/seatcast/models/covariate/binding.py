"""The covariate kernel bound to a projection's seats, with its fitted numbers passed in.

:class:`Fitted` holds what :mod:`seatcast.fit.covariate` learned (coefficients per role, the
mechanisms' strengths, the squeeze fraction); :func:`bind` computes what the kernel needs
about one projection's seats (features, advice, the populist right's base) and
:func:`kernel_for` builds the kernel from both. Nothing here fits anything: the fitted numbers
always come in as an argument (from the store, through :func:`seatcast.fit.registry.load_or_fit`),
so this layer never runs a backtest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.data.byelections import ParliamentEvidence, seat_terms
from seatcast.data.schema import Election
from seatcast.models.covariate.features import (
    FEATURES,
    RIGHT_BASE_MIN_COVERAGE,
    UNIONIST_PARTIES,
    Nominations,
    SeatDesign,
    base_mps_of,
    boundaries_of,
    build_design,
    right_base,
    right_coverage,
    right_party,
    right_strength,
    squeeze_targets,
)
from seatcast.models.covariate.kernel import CovariateKernel, Squeeze, build_kernel

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Bound:
    """What the kernel needs about one projection's seats, bar the fitted numbers."""

    design: SeatDesign
    recipient: FloatArray
    donor: FloatArray
    advised: bool
    unionist: Squeeze | None  # pro-Union advice in Scotland, when published
    right: str | None
    right_base: FloatArray | None  # the base with the populist right re-spread, when it applies


def bind(setup: Any, *, earlier: Sequence[Election], nominations: Nominations, base_election: Election,
         advice: Mapping[str, Mapping[str, float]],
         unionist_advice: Mapping[str, Mapping[str, float]] | None = None, proxy: bool = False,
         byelections: ParliamentEvidence | None = None) -> Bound:
    """Features, advice and the populist right's base for a prepared projection ``setup``.

    ``proxy`` stands in the best-placed anti-Conservative party where no advice was published:
    a training device (to estimate ``f`` on pairs without bundled advice), off for forecasts, so
    that a projection without advice and without national change returns the base.
    ``byelections``: the by-elections of the parliament before the projection (a value measured
    in :mod:`seatcast.fit.byelections`, carried by the fit), for the ``byelections`` features.
    """
    ctx = setup.ctx
    seat_ids = list(np.asarray(setup.frame.seat_ids)[setup.modelled])
    parties = setup.parties
    right = right_party(parties, setup.national_target)
    boundaries = boundaries_of(base_election)
    design = build_design(
        seat_ids=seat_ids, boundaries=boundaries, parties=parties, base=ctx.base, base_nat=ctx.base_national,
        group=ctx.group, right=right, earlier=earlier, nominations=nominations,
        base_mps=base_mps_of(base_election), tactical=advice,
        by_over=byelections.over if byelections else None,
        by_seat=seat_terms(byelections, seat_ids, list(np.asarray(setup.frame.names)[setup.modelled])),
    )
    recipient, donor, advised = squeeze_targets(seat_ids, parties, ctx.base, advice, proxy=proxy)
    u_rec, u_don, _ = squeeze_targets(seat_ids, parties, ctx.base, unionist_advice or {}, UNIONIST_PARTIES, proxy=False)
    unionist = Squeeze(u_rec, u_don) if u_don.any() else None
    rb = None
    if right in parties and earlier and right_coverage(base_election, setup.groups) < RIGHT_BASE_MIN_COVERAGE:
        strength = right_strength(seat_ids, boundaries, earlier)
        rb = right_base(ctx.base, ctx.stands, ctx.group, ctx.weights, parties.index(right), strength)
    return Bound(design=design, recipient=recipient, donor=donor, advised=advised, unionist=unionist, right=right,
                 right_base=rb)


def kernel_for(bound: Bound, fitted: Fitted, parties: Sequence[str], ctx: Any, *, rebase: bool = True,
               squeeze_f: float | None = None, coef: dict[str, FloatArray] | None = None) -> CovariateKernel:
    """The kernel of ``fitted`` bound to a seat set (``squeeze_f``/``coef`` override the fit)."""
    groups = fitted.groups
    return build_kernel(
        bound.design, fitted.coef if coef is None else coef, parties, bound.right, ctx=ctx,
        theta_down=fitted.theta_down, theta_up=fitted.theta_up, kappa=fitted.kappa,
        squeeze=((Squeeze(bound.recipient, bound.donor), *((bound.unionist,) if bound.unionist else ()))
                 if "squeeze" in groups else ()),
        squeeze_f=fitted.squeeze_f if squeeze_f is None else squeeze_f,
        right_base=bound.right_base if "right_base" in groups else None, rebase=rebase,
    )


@dataclass(frozen=True)
class Fitted:
    """Fitted numbers (coefficients per role, in feature units) and what made them."""

    coef: dict[str, FloatArray]
    alpha: dict[str, float]
    pairs: tuple[tuple[str, str], ...]
    groups: tuple[str, ...]
    cv_rmse: dict[str, float] = field(default_factory=dict)
    theta_down: float = 0.0
    theta_up: float = 0.0
    kappa: float = 0.0
    squeeze_f: float = 0.0
    squeeze_by_pair: dict[str, float] = field(default_factory=dict)
    selected: tuple[str, ...] = ()  # the feature groups the time-series CV let in
    byelections: ParliamentEvidence | None = None  # the by-elections of the forecast's parliament
    squeeze_source: str = "pooled"  # or "byelections" when their squeeze earned its place

    def to_dict(self) -> dict[str, object]:
        """JSON-ready numbers, coefficients named by feature."""
        return {
            "pairs": [list(p) for p in self.pairs], "groups": list(self.groups), "alpha": self.alpha,
            "cv_rmse": self.cv_rmse, "theta_down": round(self.theta_down, 4), "theta_up": round(self.theta_up, 4),
            "kappa": round(self.kappa, 4),
            "squeeze_f": round(self.squeeze_f, 4), "squeeze_by_pair": self.squeeze_by_pair,
            "selected": list(self.selected), "squeeze_source": self.squeeze_source,
            "byelections": self.byelections.to_dict() if self.byelections else None,
            "coef": {r: {f.name: round(float(c), 5) for f, c in zip(FEATURES, v, strict=True) if c != 0}
                     for r, v in self.coef.items()},
        }

    def to_params(self) -> dict[str, Any]:
        """Every number exactly (JSON floats round-trip), for the stored :class:`FittedModel`."""
        return {
            "coef": {r: [float(c) for c in v] for r, v in self.coef.items()}, "alpha": dict(self.alpha),
            "pairs": [list(p) for p in self.pairs], "groups": list(self.groups), "cv_rmse": dict(self.cv_rmse),
            "theta_down": self.theta_down, "theta_up": self.theta_up, "kappa": self.kappa,
            "squeeze_f": self.squeeze_f, "squeeze_by_pair": dict(self.squeeze_by_pair),
            "selected": list(self.selected), "squeeze_source": self.squeeze_source,
            "byelections": self.byelections.to_params() if self.byelections else None,
        }

    @classmethod
    def from_params(cls, p: Mapping[str, Any]) -> Fitted:
        """Inverse of :meth:`to_params`."""
        return cls(
            coef={r: np.asarray(v, dtype=np.float64) for r, v in p["coef"].items()}, alpha=dict(p["alpha"]),
            pairs=tuple((a, b) for a, b in p["pairs"]), groups=tuple(p["groups"]), cv_rmse=dict(p["cv_rmse"]),
            theta_down=float(p["theta_down"]), theta_up=float(p["theta_up"]), kappa=float(p["kappa"]),
            squeeze_f=float(p["squeeze_f"]), squeeze_by_pair=dict(p["squeeze_by_pair"]),
            selected=tuple(p["selected"]), squeeze_source=str(p.get("squeeze_source", "pooled")),
            byelections=ParliamentEvidence.from_params(p["byelections"]) if p.get("byelections") else None,
        )
