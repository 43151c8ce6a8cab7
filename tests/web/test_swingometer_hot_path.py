"""The swingometer's hot path: the compiled point projection, answered on the event loop, same answers.

With numba installed the server projects a slider move by the compiled point path and, when
the model is already bound to the request's seats, on its event loop (no thread hand-over);
the answer must be the one the numpy kernel gives, byte for byte where the rounding allows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import need
from seatcast.data.store import Store
from seatcast.projection import NotBound
from seatcast.web import schemas as s
from seatcast.web.app import Dashboard, encode_json


@pytest.fixture(scope="module")
def dash(store_path: Path, store: Store) -> Dashboard:
    d = Dashboard(store, max_sims=1000)
    d.accel = "numba"  # the server's engine when numba is installed (forecast_accel)
    d.warm("ge2024")
    return d


def _slider(dash: Dashboard, n: int, seed: int, *, spread: float = 3.0) -> list[s.ProjectRequest]:
    """Requests as the page sends them: every slider party, moved around its base share (load_web's way)."""
    rows = dash.base("ge2024").baseline["parties"]
    parties = [p["code"] for p in rows]
    centre = np.array([p["share"] for p in rows])
    rng = np.random.default_rng(seed)
    moved = np.maximum(0.0, centre + rng.normal(0, spread, (n, len(parties))))
    moved *= np.minimum(1.0, 99 / moved.sum(axis=1, keepdims=True))
    return [s.ProjectRequest(base="ge2024", shares=dict(zip(parties, np.round(r, 1).tolist(), strict=True)))
            for r in moved]


def _grown(dash: Dashboard, **shares: float) -> s.ProjectRequest:
    """The slider parties at their base shares but those given, Labour and the Conservatives making room.

    The parties given are meant to double their base shares, so they stand in every seat of GB
    (the projection's rule): new seats for the model (the tests check the setup's note).
    """
    base = {p["code"]: p["share"] for p in dash.base("ge2024").baseline["parties"]}
    out = {**base, **shares}
    over = sum(out.values()) - 99
    big = base["lab"] + base["con"]
    out["lab"] = round(base["lab"] - over * base["lab"] / big, 1)
    out["con"] = round(base["con"] - over * base["con"] / big, 1)
    return s.ProjectRequest(base="ge2024", shares=out)


def _has_grown(dash: Dashboard, req: s.ProjectRequest) -> bool:
    return any(n.startswith("newcomers given a base share") for n in dash.setup(req).notes)


def test_compiled_answers_are_the_numpy_answers(dash: Dashboard, store: Store) -> None:
    need("numba")
    plain = Dashboard(store, max_sims=1000)
    plain.accel = "numpy"
    for req in [*_slider(dash, 6, 1), _grown(dash, green=15.0), _grown(dash, ruk=32.0)]:
        got, want = dash.project(req), plain.project(req)
        # Equal to 1e-12 before rounding to 4 places: a share can only land on the other side
        # of a rounding boundary, one unit in the fourth place.
        np.testing.assert_allclose(got.pop("shares"), want.pop("shares"), rtol=0, atol=1.000001e-4)
        assert got == want
        assert not req.shares.get("ruk", 0) > 30 or _has_grown(dash, req)


def test_project_json_is_the_projection_encoded(dash: Dashboard) -> None:
    for req in _slider(dash, 3, 2):
        assert dash.project_json(req) == encode_json(dash.project(req))
        assert s.ProjectOut.model_validate_json(dash.project_json(req))


def test_project_json_is_the_projection_encoded_without_orjson(store: Store,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson now fails: the standard library encodes
    d = Dashboard(store, max_sims=1000)
    req = _slider(d, 1, 3)[0]
    out = d.project_json(req)
    assert out == encode_json(d.project(req))
    assert json.loads(out)["seat_ids"][:2] == list(d.base("ge2024").frame.seat_ids[:2])


def test_a_bound_model_is_answered_without_a_thread(dash: Dashboard) -> None:
    need("numba")
    for req in _slider(dash, 3, 4, spread=0.5):
        assert dash.quick_json(req) is not None


def test_a_model_to_bind_goes_to_a_thread_then_is_quick(dash: Dashboard) -> None:
    need("numba")
    # Reform and the Greens grow to stand in every GB seat (a combination no other test asks for:
    # bound kernels are kept with the base election, which the store shares): a kernel to bind.
    grown = _grown(dash, ruk=32.0, green=15.0)
    with pytest.raises(NotBound):
        dash.setup(grown, bind=False)
    assert dash.quick_json(grown) is None
    dash.project_json(grown)  # what the projection pool runs: it binds
    assert _has_grown(dash, grown)
    again = _grown(dash, ruk=33.0, green=15.5)
    answer = dash.quick_json(again)
    assert answer is not None and answer == dash.project_json(again)


def test_scenario_steps_and_the_numpy_engine_go_to_a_thread(dash: Dashboard, store: Store) -> None:
    req = _slider(dash, 1, 5)[0]
    with_steps = s.ProjectRequest.model_validate({**req.model_dump(), "steps": [
        {"kind": "withdraw", "seats": ["Derby North"], "party": "ld"}]})
    assert dash.quick_json(with_steps) is None
    plain = Dashboard(store, max_sims=1000)
    plain.accel = "numpy"
    plain.warm("ge2024")
    assert plain.quick_json(req) is None  # the numpy covariate kernel takes milliseconds
    uns = req.model_copy(update={"model": "uns"})
    assert plain.quick_json(uns) == plain.project_json(uns)  # a swing model is quick either way


def test_a_reimported_base_goes_to_a_thread(dash: Dashboard, monkeypatch: pytest.MonkeyPatch) -> None:
    need("numba")
    req = _slider(dash, 1, 6, spread=0.5)[0]
    assert dash.quick_json(req) is not None
    monkeypatch.setattr(dash.store, "generation", lambda election_id: "re-imported")
    assert dash.quick_json(req) is None  # its fit may be redone: not on the event loop


def test_answers_keep_their_keys(dash: Dashboard) -> None:
    out: dict[str, Any] = json.loads(dash.project_json(_slider(dash, 1, 7)[0]))
    assert list(out) == ["base", "model", "boundaries", "parties", "seats_predicted", "national_target", "notes",
                         "steps", "seat_ids", "names", "winners", "shares"]
    assert out["model"] == "covariate" and len(out["seat_ids"]) == len(out["shares"]) == 650
