"""The election-night API (seatcast.web.night) through FastAPI's TestClient: replays, live file, errors."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seatcast.data.declarations import declaration_order
from seatcast.data.store import Store

REPLAY = "/api/night/replay/ge2024"


@pytest.fixture(scope="module")
def client(store_path: Path, store: Store) -> Iterator[Any]:
    with warnings.catch_warnings():  # starlette's notice that it prefers httpx2 to httpx
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from seatcast.web.app import create_app

    with TestClient(create_app(db=store_path, max_sims=5000, warm=False), base_url="http://localhost") as c:
        yield c


def test_night_page_is_served_and_linked_from_the_dashboard(client: Any) -> None:
    r = client.get("/night")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert 'id="hexmap"' in r.text and "/static/night.js" in r.text
    assert 'href="/night"' in client.get("/").text
    for path in ("/night", "/static/night.js", "/static/night.css"):
        body = client.get(path).text
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "") and "https://" not in body
    assert "onsubmit" not in r.text and "<script>" not in r.text  # no inline script: a strict CSP holds


def test_night_lists_the_four_replayable_nights_and_no_live_file(client: Any) -> None:
    meta = client.get("/api/night").json()
    assert [r["election"] for r in meta["replays"]] == ["ge2015", "ge2017", "ge2019", "ge2024"]
    assert {r["election"]: r["base"] for r in meta["replays"]}["ge2024"] == "ge2019n24"
    assert meta["live"] is None and meta["majority"] == 326
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/night", "/api/night/live", "/api/night/replay/{election}",
            "/api/night/replay/{election}/timeline"} <= set(paths)


def test_timeline_is_the_real_declaration_order(client: Any) -> None:
    t = client.get(f"{REPLAY}/timeline").json()
    assert t["order"] == declaration_order("ge2024")
    assert t["order"][0] == "E14001295"  # Houghton and Sunderland South, first as ever
    assert t["minutes"][0] == 0 and t["minutes"] == sorted(t["minutes"])
    assert t["hexmap"] == "2024" and t["seats"] == 650
    assert t["exit_poll"]["lab"] == 410 and t["exit_poll"]["con"] == 131  # public at 10 pm


def test_replay_before_any_result_is_the_prior_with_every_seat_projected(client: Any) -> None:
    s = client.get(REPLAY, params={"declared": 0}).json()
    assert s["declared"] == 0 and s["latest"] == [] and s["seats_won"] == {}
    assert sum(s["seats"]["declared"]) == 0 and len(s["seats"]["ids"]) == 650
    assert 300 < s["seats_projected"]["lab"] < 500
    lo, hi = s["seats_interval"]["lab"]
    assert lo <= s["seats_projected"]["lab"] <= hi
    assert s["likely_changes"] and all(c["p_change"] > 0 for c in s["likely_changes"])


def test_replay_state_after_n_declarations_names_them_newest_first_with_their_swing(client: Any) -> None:
    order = declaration_order("ge2024")
    s = client.get(REPLAY, params={"declared": 3, "top": 5}).json()
    assert s["declared"] == 3 and sum(s["seats"]["declared"]) == 3
    assert [d["id"] for d in s["latest"]] == order[:3][::-1]
    first = s["latest"][-1]
    assert first["name"] == "Houghton and Sunderland South" and first["winner"] == "lab" and not first["gain"]
    assert first["time"] == "23:17" and first["swing"]["points"] >= 0
    assert s["seats_won"] == {"lab": 3}
    assert len(s["likely_changes"]) == 5
    assert not set(order[:3]) & {c["id"] for c in s["likely_changes"]}  # only undeclared seats
    declared_ids = {sid for sid, d in zip(s["seats"]["ids"], s["seats"]["declared"], strict=True) if d}
    assert declared_ids == set(order[:3])


def test_replay_is_reproducible_and_cached(client: Any) -> None:
    a = client.get(REPLAY, params={"declared": 40, "seed": 7, "sims": 300}).json()
    b = client.get(REPLAY, params={"declared": 40, "seed": 7, "sims": 300}).json()
    assert a == b
    board = client.app.state.night
    board._answers.clear()  # recomputed from scratch: still the same, bit for bit
    assert client.get(REPLAY, params={"declared": 40, "seed": 7, "sims": 300}).json() == a


def test_replay_of_every_seat_is_the_actual_result(client: Any, store: Store) -> None:
    s = client.get(REPLAY, params={"declared": 650}).json()
    actual = store.load("ge2024").seats_won()
    assert s["seats_won"] == actual
    assert {p: v for p, v in s["seats_projected"].items() if v} == {p: float(n) for p, n in actual.items()}
    assert all(s["seats_interval"][p] == [n, n] for p, n in actual.items())
    assert s["likely_changes"] == [] and s["latest"][0]["id"] == declaration_order("ge2024")[-1]


@pytest.mark.parametrize(("query", "status", "words"), [
    ({"declared": 651}, 422, "declared must be between 0 and 650"),
    ({"declared": -1}, 422, "declared"),
    ({"declared": "ten"}, 422, "declared"),
    ({}, 422, "declared"),
    ({"declared": 5, "sims": 0}, 422, "sims"),
    ({"declared": 5, "sims": 5001}, 422, "sims"),
    ({"declared": 5, "seed": -1}, 422, "seed"),
    ({"declared": 5, "top": 51}, 422, "top"),
])
def test_bad_replay_parameters_are_4xx_json_errors(client: Any, query: dict[str, Any], status: int,
                                                   words: str) -> None:
    r = client.get(REPLAY, params=query)
    assert r.status_code == status
    assert words in r.json()["detail"]


def test_unknown_night_is_a_404_naming_the_known_ones(client: Any) -> None:
    r = client.get("/api/night/replay/ge2010", params={"declared": 1})
    assert r.status_code == 404 and "ge2015" in r.json()["detail"]
    assert client.get("/api/night/replay/ge2010/timeline").status_code == 404


def test_live_is_a_404_when_the_server_follows_no_file(client: Any) -> None:
    r = client.get("/api/night/live")
    assert r.status_code == 404 and "--night-results" in r.json()["detail"]


def _rows(store: Store, election: str, ids: list[str]) -> list[str]:
    el = store.load(election)
    out = []
    for sid in ids:
        c = el.seat(sid)
        out += [json.dumps({"district_id": c.id, "district_name": c.name, "region": c.region or "",
                            "party": k.party_label or k.party_code, "party_code": k.party_code,
                            "candidate": k.name, "votes": k.votes}) for k in c.candidacies]
    return out


def test_live_follows_the_results_file_as_it_grows(client: Any, store: Store, tmp_path: Path) -> None:
    from seatcast.web.night import live_night

    path = tmp_path / "results.jsonl"
    board = client.app.state.night
    board.live = live_night(store, path, "ge2019n24")
    try:
        assert client.get("/api/night").json()["live"]["base"] == "ge2019n24"
        r = client.get("/api/night/live")
        assert r.status_code == 422 and str(path) in r.json()["detail"]  # not written yet
        order = declaration_order("ge2024")
        path.write_text("\n".join(_rows(store, "ge2024", order[:2])) + "\n", encoding="utf-8")
        s = client.get("/api/night/live").json()
        assert s["mode"] == "live" and s["declared"] == 2 and [d["id"] for d in s["latest"]] == order[:2][::-1]
        with path.open("a", encoding="utf-8") as fh:
            fh.write('{"district_id": "E99999999", "district_name": "Nowhere", "region": "", "party": "Labour",'
                     ' "candidate": "X", "votes": 5}\n')
            fh.write('{"district_id": "E14001107", "district_name": "x", "region": "", "party": "Labour",'
                     ' "candidate": "X", "votes": "many"}\n')
            fh.write("\n".join(_rows(store, "ge2024", order[2:5])) + "\n")
        os.utime(path, ns=(1, 10**18))  # a new stamp even on a coarse clock
        s = client.get("/api/night/live").json()
        assert s["declared"] == 5 and s["latest"][0]["id"] == order[4]
        assert any("Nowhere" in n for n in s["notes"]) and any("votes" in n for n in s["notes"]), s["notes"]
        assert client.get("/api/night/live").json() == s  # unchanged file: the same answer
    finally:
        board.live = None


def test_replay_on_the_2010_boundaries_covers_the_2010_hexmap_and_ends_at_the_result(client: Any,
                                                                                      store: Store) -> None:
    t = client.get("/api/night/replay/ge2019/timeline").json()
    assert t["hexmap"] == "2010" and len(t["order"]) == 650 and t["exit_poll"]["con"] == 368
    s = client.get("/api/night/replay/ge2019", params={"declared": 650, "sims": 100}).json()
    hexes = {h["id"] for h in client.get("/api/hexmap/2010").json()["hexes"]}
    assert set(s["seats"]["ids"]) == hexes
    assert s["seats_won"] == store.load("ge2019").seats_won()
    first = client.get("/api/night/replay/ge2019", params={"declared": 1, "sims": 100}).json()["latest"][0]
    assert first["name"] == "Newcastle Upon Tyne Central" and first["time"] == "23:27"


def test_live_follows_a_feed_on_a_stream_as_lines_arrive(client: Any, store: Store) -> None:
    import time

    from seatcast.web.night import live_night

    read_end, write_end = os.pipe()
    order = declaration_order("ge2024")
    board = client.app.state.night
    with os.fdopen(read_end, encoding="utf-8") as stream, os.fdopen(write_end, "w", encoding="utf-8") as feed:
        board.live = live_night(store, "-", "ge2019n24", stream=stream)
        try:
            assert client.get("/api/night").json()["live"]["feed"] is True

            def state_with(n: int) -> dict[str, Any]:
                deadline = time.monotonic() + 30
                while True:
                    s: dict[str, Any] = client.get("/api/night/live").json()
                    if s["declared"] == n or time.monotonic() > deadline:
                        return s
                    time.sleep(0.1)

            assert state_with(0)["declared"] == 0
            feed.write("\n".join(_rows(store, "ge2024", order[:2])) + "\n")
            feed.flush()
            s = state_with(2)
            assert s["declared"] == 2 and s["latest"][0]["id"] == order[1]
            feed.write("\n".join(_rows(store, "ge2024", order[2:6])) + "\n")
            feed.flush()
            s = state_with(6)
            assert s["declared"] == 6 and [d["id"] for d in s["latest"]] == order[:6][::-1]
            feed.close()  # the feed ends: the reader stops, and the night so far stays
            reader = board.live.feed.reader
            reader.join(timeout=10)
            assert not reader.is_alive()
            assert client.get("/api/night/live").json()["declared"] == 6
        finally:
            board.live = None
