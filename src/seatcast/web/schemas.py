"""Request and response models of the JSON API (they also make the OpenAPI schema at ``/docs``).

Requests are validated here, at the edge, so a bad body gets a 422 with a message before any
numpy runs: shares are percentages in 0-100 that add up to at most 100 (plus the projection's
rounding tolerance), names are short strings, and lists and maps are bounded in size. Limits
that an operator may change (the simulation cap) are checked by the app, not here.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from seatcast.projection import DEFAULT_MODEL, SUM_TOLERANCE

Name = Annotated[str, Field(min_length=1, max_length=80)]
#: A name in a URL (election, seat, boundaries): short, so a long one cannot make suggestions slow.
Key = Annotated[str, StringConstraints(min_length=1, max_length=100)]
#: A party code as seatcast makes them (``lab``, ``ruk``, ``labour_co_op`` from an import), any case.
PARTY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_]{0,79}$"
Party = Annotated[str, StringConstraints(pattern=PARTY_PATTERN)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, strict=True)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]
#: Keys must match the party pattern: said in the schema (``additionalProperties: false``) too.
_CODES_ONLY: dict[str, Any] = {"additionalProperties": False}
ShareMap = Annotated[dict[Party, Percent], Field(max_length=60, json_schema_extra=_CODES_ONLY)]
#: A seat by name or ONS id.
SeatName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=100)]

#: A request model (what :func:`seatcast.web.app.parse_body` returns).
RequestT = TypeVar("RequestT", bound=BaseModel)

#: Most scenario steps one request may carry.
MAX_STEPS = 50
#: Most seats one step may name (the House of Commons has 650; ``"all"`` names every seat).
MAX_STEP_SEATS = 650
#: Most parties a step's bloc or vote sources may name.
MAX_STEP_PARTIES = 20


class _Step(BaseModel):
    """What every scenario step in a request shares: no keys beyond its kind's."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


PartyFractions = Annotated[dict[Party, Fraction], Field(max_length=MAX_STEP_PARTIES, json_schema_extra=_CODES_ONLY)]
Seats = SeatName | Annotated[list[SeatName], Field(min_length=1, max_length=MAX_STEP_SEATS)]


class DistributionIn(_Step):
    """A share given as a normal distribution (fractions), truncated to 0-0.95 when drawn."""

    mean: Fraction
    sd: Fraction


class CandidateStepIn(_Step):
    """A new candidate enters a seat; ``share`` is a fraction, ``"prior"`` or a distribution."""

    kind: Literal["candidate"]
    seat: SeatName
    name: Text = ""
    label: Text = "Independent"
    incumbent: bool = Field(False, strict=True)
    party: Party | None = Field(None, description="The party the candidate leaves.")
    source: PartyFractions | None = Field(
        None, alias="from", description="Fractions of each party's vote the candidate takes.")
    share: Fraction | Literal["prior"] | DistributionIn = "prior"


class WithdrawStepIn(_Step):
    """A party stands down in some seats (or ``"all"``); its voters move by the transfer matrix."""

    kind: Literal["withdraw"]
    party: Party
    seats: Seats = "all"


class IncumbentStepIn(_Step):
    """A sitting MP stands again, retires, or defects (``to``: the party they join)."""

    kind: Literal["incumbent"]
    seat: SeatName
    action: Literal["stand", "retire", "defect"]
    party: Party | None = None
    to: Party | None = None


class TacticalStepIn(_Step):
    """A fraction of a bloc's trailing parties' voters switch to the bloc's best-placed party."""

    kind: Literal["tactical"]
    bloc: list[Party] = Field(min_length=2, max_length=MAX_STEP_PARTIES)
    fraction: Fraction
    seats: Seats = "all"


class SetStepIn(_Step):
    """Override a seat's shares (fractions); parties not named share the remainder as before."""

    kind: Literal["set"]
    seat: SeatName
    shares: Annotated[dict[Party, Fraction], Field(max_length=60, json_schema_extra=_CODES_ONLY)]


#: One scenario step: the ``kind`` key says which (the OpenAPI document lists each kind's keys).
StepIn = Annotated[CandidateStepIn | WithdrawStepIn | IncumbentStepIn | TacticalStepIn | SetStepIn,
                   Field(discriminator="kind")]


def step_dicts(steps: list[StepIn]) -> list[dict[str, Any]]:
    """Steps as the dicts :func:`seatcast.scenarios.build_steps` takes (only the keys given)."""
    return [st.model_dump(by_alias=True, exclude_unset=True) for st in steps]


def _check_total(shares: dict[str, float], where: str) -> dict[str, float]:
    total = sum(shares.values())
    if not math.isfinite(total) or total > 100 * (1 + SUM_TOLERANCE):
        raise ValueError(f"{where} add up to {total:.1f}%, more than 100%")
    return shares


class ProjectRequest(BaseModel):
    """A point projection: a base election, a swing model and national shares in percent."""

    model_config = ConfigDict(extra="forbid")

    base: Name = Field(description="Base election id, e.g. ge2019n24 or ge2017.", examples=["ge2019n24"])
    model: Name = Field(DEFAULT_MODEL, description=(
        "Swing model: auto (the default, as on the CLI: covariate on a bundled UK base, transition on an "
        "imported one), uns, proportional, transition, covariate..."))
    shares: ShareMap = Field(
        default_factory=dict,
        description="GB shares in percent by party code, as on the CLI; parties not given share the rest.",
        examples=[{"con": 24.0, "lab": 34.0, "ld": 12.0, "ruk": 15.0}],
    )
    nations: dict[Name, ShareMap] | None = Field(
        None, max_length=12, description="Shares for one nation, e.g. {\"Scotland\": {\"snp\": 30}}.")
    steps: list[StepIn] = Field(
        default_factory=list, max_length=MAX_STEPS,
        description="Scenario steps, e.g. {\"kind\": \"candidate\", \"seat\": \"Derby North\", ...}.")

    @field_validator("shares")
    @classmethod
    def _shares_total(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_total(v, "national shares")

    @field_validator("nations")
    @classmethod
    def _nations_total(cls, v: dict[str, dict[str, float]] | None) -> dict[str, dict[str, float]] | None:
        for nation, shares in (v or {}).items():
            _check_total(shares, f"{nation} shares")
        return v


class ForecastRequest(ProjectRequest):
    """A probabilistic forecast: the projection plus a simulation count and a seed."""

    sims: int = Field(2000, ge=1, strict=True, description="Number of simulations (capped by the server).")
    seed: int = Field(0, ge=0, le=2**63 - 1, strict=True, description="Seed: the same seed gives the same result.")


class ElectionOut(BaseModel):
    """One stored election."""

    id: str
    name: str
    date: str | None
    kind: str
    boundaries: str
    seats: int
    hexmap: str = Field(description="The hexmap layout (boundaries) the page draws it on.")


class ElectionsOut(BaseModel):
    """Every stored election, oldest first."""

    elections: list[ElectionOut]


class PartyOut(BaseModel):
    """A party as the page shows it."""

    code: str
    name: str
    colour: str


class MetaOut(BaseModel):
    """What the page needs before anything else: models, parties, limits."""

    models: dict[str, str] = Field(description="Model names and descriptions, ``auto`` (the default) first.")
    default_model: str = Field(DEFAULT_MODEL, description="The model a request without one gets.")
    parties: list[PartyOut]
    default_base: str
    max_sims: int
    majority: int
    features: dict[str, bool] = Field(description="Optional endpoints this install can answer.")


class BaselineParty(PartyOut):
    """A party's GB share at the base election, in percent."""

    share: float
    seats: int


class BaselineOut(BaseModel):
    """The base election as the swingometer starts from it."""

    election: str
    boundaries: str
    hexmap: str
    seats: int
    parties: list[BaselineParty]
    seats_won: dict[str, int] = Field(description="Seats each party won at the base election.")


class CandidateOut(BaseModel):
    """A candidacy in a seat's result."""

    name: str
    party: str
    label: str
    votes: int | None
    share: float
    sitting_mp: bool | None = None
    former_mp: bool | None = None
    winner: bool = Field(False, description="Whether this candidacy won the seat.")


class ResultOut(BaseModel):
    """One seat's result at one election."""

    election: str
    id: str
    name: str
    region: str
    nation: str
    electorate: int | None
    valid_votes: int
    turnout: float | None
    winner: dict[str, str]
    majority: int | None
    majority_share: float
    candidates: list[CandidateOut]


class HistoryEntry(BaseModel):
    """A seat's result at one election, and whether it was on the same boundaries."""

    election: str
    date: str | None
    kind: str
    same_boundaries: bool
    id: str
    name: str
    winner: str
    shares: dict[str, float]


class HistoryOut(BaseModel):
    """A seat's results since 2010: on its own boundaries, plus same-named seats on others."""

    base: str
    id: str
    name: str
    history: list[HistoryEntry]


class HexOut(BaseModel):
    """One hex of the map."""

    id: str
    name: str
    q: int
    r: int


class HexmapOut(BaseModel):
    """A hex cartogram (``odd-r`` offset layout, ``r`` growing northwards)."""

    layout: str
    boundaries: str
    hexes: list[HexOut]


class ProjectOut(BaseModel):
    """A point projection: seat totals and every seat's winner and shares."""

    base: str
    model: str
    boundaries: str
    parties: list[str] = Field(description="Column order of ``shares``.")
    seats_predicted: dict[str, int]
    national_target: dict[str, float]
    notes: list[str]
    steps: list[dict[str, Any]] = Field(description="What each scenario step did (if any).")
    seat_ids: list[str]
    names: list[str]
    winners: list[str]
    shares: list[list[float]] = Field(description="Per seat, shares (fractions) in ``parties`` order.")


class ErrorOut(BaseModel):
    """Every 4xx/5xx answer: a message that says what was wrong."""

    detail: str
