"""Scenario files: TOML read with :mod:`tomllib`, validated by pydantic, errors that name the key.

A scenario names a base election, national shares (``polls = "final"`` for the final polls of
the election after the base, ``polls = "ge2019"`` for a named election's, or a ``[national]``
table in percent), a model, an optional transfer matrix (``transfers = "file.csv"``, relative to
the scenario file, or an inline ``[transfers.lab]`` table) and a list of ``[[step]]`` tables.
Every error is a :class:`~seatcast.errors.ScenarioError` naming the file, the key (``step[2].seat``)
and what is wrong; an unknown step kind, seat or party suggests the nearest names.

The step dicts validated here are the same ones :func:`seatcast.scenarios.steps.build_steps`
takes from Python or from the web dashboard.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from seatcast.errors import ScenarioError, suggest

STEP_KINDS = ("candidate", "withdraw", "incumbent", "tactical", "set")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Distribution(_Spec):
    """A share given as a normal distribution (fractions), truncated to 0-0.95 when drawn."""

    mean: float = Field(ge=0.0, le=1.0)
    sd: float = Field(ge=0.0, le=1.0)


ShareSpec = Annotated[float, Field(ge=0.0, le=1.0)] | Literal["prior"] | Distribution
Seats = str | list[str]


class CandidateSpec(_Spec):
    """A new candidate enters a seat (``share``: a fraction, ``"prior"`` or a distribution)."""

    kind: Literal["candidate"]
    seat: str
    name: str = ""
    label: str = "Independent"
    incumbent: bool = False
    #: The party the candidate leaves (default: the seat's base winner when ``incumbent``).
    party: str | None = None
    source: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(default=None, alias="from")
    share: ShareSpec = "prior"

    @field_validator("source")
    @classmethod
    def _fractions(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None and sum(v.values()) > 1.0 + 1e-6:
            raise ValueError(f"fractions add up to {sum(v.values()):.3f}, more than 1")
        return v


class WithdrawSpec(_Spec):
    """A party stands down; its voters move by the transfer matrix."""

    kind: Literal["withdraw"]
    party: str
    seats: Seats = "all"


class IncumbentSpec(_Spec):
    """A sitting MP stands again, retires, or defects (``to``: the party they join)."""

    kind: Literal["incumbent"]
    seat: str
    action: Literal["stand", "retire", "defect"]
    party: str | None = None
    to: str | None = None


class TacticalSpec(_Spec):
    """A fraction of a bloc's trailing parties' voters switch to the bloc's best-placed party."""

    kind: Literal["tactical"]
    bloc: list[str] = Field(min_length=2)
    fraction: float = Field(ge=0.0, le=1.0)
    seats: Seats = "all"


class SetSpec(_Spec):
    """Override a seat's shares (fractions); parties not named share the remainder as before."""

    kind: Literal["set"]
    seat: str
    shares: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]]

    @field_validator("shares")
    @classmethod
    def _total(cls, v: dict[str, float]) -> dict[str, float]:
        if sum(v.values()) > 1.0 + 1e-6:
            raise ValueError(f"shares add up to {sum(v.values()):.3f}, more than 1")
        return v


StepSpec = Annotated[CandidateSpec | WithdrawSpec | IncumbentSpec | TacticalSpec | SetSpec,
                     Field(discriminator="kind")]
_STEP_ADAPTER: TypeAdapter[StepSpec] = TypeAdapter(StepSpec)


class Scenario(_Spec):
    """A whole scenario file, validated."""

    base: str
    polls: str | None = None
    national: dict[str, Annotated[float, Field(ge=0.0, le=100.0)]] | None = None
    nations: dict[str, dict[str, float]] | None = None
    model: str = "auto"
    election: str | None = None
    transfers: str | dict[str, dict[str, float]] | None = None
    sims: int | None = Field(default=None, ge=1)
    seed: int | None = None
    title: str = ""
    step: list[StepSpec] = Field(default_factory=list)
    #: Where the file was read from (set by :func:`load_scenario`; not a TOML key).
    path: str = Field(default="<scenario>", exclude=True)


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        elif part in {"candidate", "withdraw", "incumbent", "tactical", "set"} and out.endswith("]"):
            continue  # the discriminator's own level in pydantic's location
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def validation_message(exc: ValidationError, source: str) -> str:
    """One line per problem: ``file: key: message``."""
    lines = []
    for err in exc.errors():
        key = _loc(err["loc"])
        msg = err["msg"]
        if err["type"] == "union_tag_invalid":
            bad = str((err.get("ctx") or {}).get("tag", ""))
            hint = suggest(bad, STEP_KINDS)
            msg = f"unknown step kind {bad!r}; choose one of {', '.join(STEP_KINDS)}" + (
                f" (did you mean {hint[0]!r}?)" if hint else "")
        elif err["type"] == "union_tag_not_found":
            msg = f"missing 'kind'; choose one of {', '.join(STEP_KINDS)}"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "value_error":  # our own validators' text, without pydantic's label
            msg = msg.removeprefix("Value error, ")
        lines.append(f"{source}: {key}: {msg}")
    return "; ".join(lines)


def parse_step(data: Mapping[str, Any], *, where: str = "step") -> StepSpec:
    """Validate one step dict (as a ``[[step]]`` table) or raise :class:`ScenarioError`."""
    try:
        return _STEP_ADAPTER.validate_python(dict(data))
    except ValidationError as exc:
        raise ScenarioError(validation_message(exc, where)) from None


def parse_scenario(data: Mapping[str, Any], *, source: str = "<scenario>") -> Scenario:
    """Validate a scenario dict (a parsed TOML file) or raise :class:`ScenarioError`."""
    try:
        sc = Scenario.model_validate({**data, "path": source})
    except ValidationError as exc:
        raise ScenarioError(validation_message(exc, source)) from None
    if sc.polls is None and not sc.national and not sc.nations:
        raise ScenarioError(f"{source}: give national shares: polls = \"final\" or a [national] table (percent)")
    return sc


#: A scenario file is a few kB of TOML; anything much larger is not one (and costs time to parse).
MAX_SCENARIO_BYTES = 1_000_000


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a TOML scenario file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read scenario file: {exc.strerror}") from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{p}: a scenario file is at most {MAX_SCENARIO_BYTES // 1000} kB, this one is "
                            f"{len(raw) // 1000} kB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of [[a]] / {a = {b = ...}} nesting
        raise ScenarioError(f"{p}: not a scenario: arrays or tables nested too deeply") from None
    try:
        return parse_scenario(data, source=str(p))
    except RecursionError:
        raise ScenarioError(f"{p}: not a scenario: arrays or tables nested too deeply") from None
