"""The error model as the simulator uses it: a plain value, estimated elsewhere.

The sizes of the four error layers (national, nation, region, seat) are learned from earlier
elections by :mod:`seatcast.fit.error_model` and kept in the store as a fitted model of kind
``error-model``; :meth:`ErrorModel.from_params` turns its parameters back into this value (bit
for bit: the floats round-trip through JSON). :func:`estimate` is the shorthand that loads (or
fits once) the stored estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from seatcast.fit.error_model import (
    NATIONAL_PARTIES,
    PRIOR_MINOR_SD,
    PRIOR_NATION_SD,
    PRIOR_NATIONAL_SD,
    PRIOR_REGION_SD,
    PRIOR_SEAT_SD,
    THIRD_PARTY_SHARE,
    national_slot,
)
from seatcast.models import FitSource

FloatArray = npt.NDArray[np.float64]

__all__ = ["NATIONAL_PARTIES", "THIRD_PARTY_SHARE", "ErrorModel", "estimate", "from_source", "national_slot"]


@dataclass(frozen=True)
class ErrorModel:
    """Sizes of the four error layers; see the module docstring for where each comes from.

    ``national_cov`` is the covariance of log-share errors of :data:`NATIONAL_PARTIES`
    (poll-average uncertainty included); ``seat_sd`` etc. multiply ``sqrt(s (1 - s))``.
    """

    national_cov: FloatArray
    minor_sd: float = PRIOR_MINOR_SD
    nation_sd: float = PRIOR_NATION_SD
    #: Per-nation sizes (nation name -> sd) the engine applies to that swing group; a nation not
    #: listed gets ``nation_sd``. Empty by default: the per-nation estimate was tried and made
    #: calibration worse (docs/forecast-calibration.md), so it is a what-if knob for now.
    nation_sds: tuple[tuple[str, float], ...] = ()
    region_sd: float = PRIOR_REGION_SD
    seat_sd: float = PRIOR_SEAT_SD
    seat_sd_third: float = PRIOR_SEAT_SD * 1.25
    seat_sd_ind: float = PRIOR_SEAT_SD * 2.0
    #: Elections the estimates used, and anything worth telling the user.
    sources: tuple[str, ...] = field(default=())

    @classmethod
    def prior(cls) -> ErrorModel:
        """The wide prior used when nothing earlier is known."""
        return cls(national_cov=np.diag(np.full(len(NATIONAL_PARTIES), PRIOR_NATIONAL_SD**2)),
                   sources=("prior only",))

    def scaled(self, factor: float) -> ErrorModel:
        """The same model with every standard deviation multiplied by ``factor`` (what-ifs, tests)."""
        return ErrorModel(
            national_cov=self.national_cov * factor**2, minor_sd=self.minor_sd * factor,
            nation_sd=self.nation_sd * factor, nation_sds=tuple((n, v * factor) for n, v in self.nation_sds),
            region_sd=self.region_sd * factor, seat_sd=self.seat_sd * factor,
            seat_sd_third=self.seat_sd_third * factor, seat_sd_ind=self.seat_sd_ind * factor,
            sources=(*self.sources, f"scaled by {factor}"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (national standard deviations rather than the whole matrix)."""
        sd = np.sqrt(np.diag(self.national_cov))
        return {
            "national_sd": {p: round(float(s), 4) for p, s in zip(NATIONAL_PARTIES, sd, strict=True)},
            "minor_sd": round(self.minor_sd, 4), "nation_sd": round(self.nation_sd, 4),
            "nation_sds": {n: round(v, 4) for n, v in self.nation_sds},
            "region_sd": round(self.region_sd, 4), "seat_sd": round(self.seat_sd, 4),
            "seat_sd_third": round(self.seat_sd_third, 4), "seat_sd_ind": round(self.seat_sd_ind, 4),
            "sources": list(self.sources),
        }


    def nation_sd_of(self, nation: str) -> float:
        """The nation-error size of ``nation`` (a swing group): its own if given, else :attr:`nation_sd`."""
        return dict(self.nation_sds).get(nation, self.nation_sd)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ErrorModel:
        """The value of a stored ``error-model`` fit's parameters (absent sizes: the priors)."""
        d = dict(params)
        out: dict[str, Any] = {"national_cov": np.asarray(d.pop("national_cov"), dtype=np.float64),
                               "sources": tuple(d.pop("sources", ()))}
        if "nation_sds" in d:
            out["nation_sds"] = tuple((str(n), float(v)) for n, v in d.pop("nation_sds"))
        out.update({k: float(v) for k, v in d.items()})
        return cls(**out)


def from_source(fits: FitSource, as_of: date | None, model: str) -> ErrorModel:
    """The stored error model for a forecast as of ``as_of`` with swing ``model``."""
    return ErrorModel.from_params(fits("error-model", as_of, {"model": model}).params)


def estimate(before: str, *, model: str = "uns", store: Any = None) -> ErrorModel:
    """The error model for a forecast on ISO date ``before``, from earlier elections only (stored fit)."""
    from seatcast.fit.error_model import NO_CUTOFF
    from seatcast.fit.registry import source

    as_of = None if before >= NO_CUTOFF else date.fromisoformat(before)
    return from_source(source(store), as_of, model)
