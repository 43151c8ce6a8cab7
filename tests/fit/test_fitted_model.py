"""A fitted model is a value: it round-trips exactly, and its id names what determines it."""

from __future__ import annotations

import json
from datetime import date

from seatcast.fit.fitted import FittedModel, fitted_id

MODEL = FittedModel(
    kind="covariate", params={"theta": 0.1 + 0.2, "coef": {"con": [1e-17, -3.5]}, "groups": ["a", "b"]},
    as_of=date(2024, 7, 4), trained_on=("ge2015", "ge2017"), fingerprint="ab" * 32, version="0.1.0+covariate.1",
    options={"groups": ["a", "b"]}, created_at="2026-01-01T00:00:00+00:00",
)


def test_round_trips_through_json_and_the_store_row_bit_for_bit() -> None:
    again = FittedModel.from_dict(json.loads(json.dumps(MODEL.to_dict())))
    assert again == MODEL and again.params["theta"] == 0.1 + 0.2
    assert FittedModel.from_row(MODEL.to_row()) == MODEL


def test_id_is_derived_from_kind_as_of_fingerprint_version_and_options() -> None:
    from dataclasses import replace

    assert MODEL.id == fitted_id("covariate", date(2024, 7, 4), "ab" * 32, "0.1.0+covariate.1", {"groups": ["a", "b"]})
    assert replace(MODEL, created_at="later", params={}).id == MODEL.id  # not what it learned, nor when
    changed = [replace(MODEL, as_of=date(2019, 12, 12)), replace(MODEL, fingerprint="cd" * 32),
               replace(MODEL, version="0.1.0+covariate.2"), replace(MODEL, options={"groups": ["a"]}),
               replace(MODEL, kind="error-model")]
    assert len({m.id for m in changed} | {MODEL.id}) == len(changed) + 1


def test_from_dict_never_trusts_a_given_id() -> None:
    d = MODEL.to_dict() | {"id": "forged"}
    assert FittedModel.from_dict(d).id == MODEL.id
