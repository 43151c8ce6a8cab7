"""The HTTP guards (seatcast.web.guards) and the request limits, through FastAPI's TestClient."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seatcast.data.store import Store

BODY: dict[str, Any] = {"base": "ge2024", "model": "uns", "shares": {"lab": 30.0, "con": 25.0}}


def _client(app: Any, host: str = "localhost") -> Any:
    with warnings.catch_warnings():  # starlette's notice that it prefers httpx2 to httpx
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, base_url=f"http://{host}")


@pytest.fixture(scope="module")
def app(store_path: Path, store: Store) -> Any:
    from seatcast.web.app import create_app

    return create_app(db=store_path, max_sims=500, warm=False, max_body=4096, allowed_hosts=["seatcast.lan"])


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[Any]:
    with _client(app) as c:
        yield c


def test_every_answer_carries_security_headers(client: Any) -> None:
    for r in (client.get("/"), client.get("/api/meta"), client.get("/api/nothing"),
              client.post("/api/project", json={"base": "ge1066"})):
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_page_has_no_inline_script_for_the_csp_to_block(client: Any) -> None:
    page = client.get("/").text
    assert "onsubmit=" not in page and "onclick=" not in page and "<script>" not in page


def test_rejects_foreign_host_header(client: Any, app: Any) -> None:
    # A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host header gives it away.
    with _client(app, host="evil.example") as c:
        r = c.get("/api/elections")
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert "'evil.example' is not served here" in detail and "--allowed-host evil.example" in detail
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "seatcast.lan"):
        assert client.get("/api/meta", headers={"host": host}).status_code == 200, host


def test_allowed_hosts_follow_the_bound_address() -> None:
    from seatcast.web.guards import host_names, is_loopback

    assert host_names() == {"localhost", "127.0.0.1", "::1"}
    assert "192.168.1.5" in host_names("192.168.1.5") and "box.lan" in host_names(allowed=["Box.LAN:8000"])
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_rejects_non_json_bodies(client: Any) -> None:
    # text/plain (or a form) is what a cross-site page can POST without a CORS preflight.
    payload = json.dumps(BODY)
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = client.post("/api/project", content=payload, headers={"content-type": ctype})
        assert r.status_code == 415 and "must be JSON" in r.json()["detail"], ctype
    r = client.post("/api/project", content=payload, headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 200


def test_rejects_oversized_body(client: Any) -> None:
    big = {**BODY, "steps": [{"kind": "withdraw", "party": "ld", "seats": ["Derby North"] * 600}]}
    r = client.post("/api/project", json=big)
    assert r.status_code == 413
    assert "limit of 4096 bytes" in r.json()["detail"] and "--max-body" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted as the body arrives
        for _ in range(100):
            yield b" " * 100
    r = client.post("/api/project", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_default_body_limit_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from seatcast.errors import InputError
    from seatcast.web.guards import DEFAULT_MAX_BODY, default_max_body

    monkeypatch.delenv("SEATCAST_MAX_BODY", raising=False)
    assert default_max_body() == DEFAULT_MAX_BODY == 256 * 1024
    monkeypatch.setenv("SEATCAST_MAX_BODY", "1000")
    assert default_max_body() == 1000
    monkeypatch.setenv("SEATCAST_MAX_BODY", "-5")
    with pytest.raises(InputError, match="SEATCAST_MAX_BODY"):
        default_max_body()


def test_head_is_answered_where_get_is(client: Any) -> None:
    for path in ("/", "/api/meta", "/api/elections", "/static/app.js"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200 == got.status_code, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert client.head("/api/results/ge2019/Nowhere").status_code == 404


@pytest.mark.parametrize(("step", "words"), [
    ({"kind": "withdraw", "party": "ld", "seats": ["Derby North"] * 651}, "at most 650"),
    ({"kind": "tactical", "bloc": ["lab"] * 21, "fraction": 0.5}, "at most 20"),
    ({}, "kind"),
    ({"kind": "teleport", "seat": "Derby North"}, "teleport"),
    ({"kind": "candidate", "seat": "Derby North", "share": "lots"}, "share"),
])
def test_rejects_unbounded_or_untyped_steps(step: dict[str, Any], words: str, store_path: Path) -> None:
    from seatcast.web.app import create_app

    with _client(create_app(db=store_path, warm=False)) as c:  # the default body limit
        r = c.post("/api/project", json={**BODY, "steps": [step]})
    assert r.status_code == 422 and words in r.json()["detail"]


def test_rejects_non_integer_seed_and_sims(client: Any) -> None:
    for bad in ({"seed": False}, {"seed": 1.5}, {"sims": True}, {"sims": "100"}, {"sims": 100.0}):
        r = client.post("/api/forecast", json={**BODY, **bad})
        assert r.status_code == 422, bad


def test_rejects_malformed_party_codes(client: Any) -> None:
    r = client.post("/api/project", json={**BODY, "shares": {"<script>": 10}})
    assert r.status_code == 422 and "shares" in r.json()["detail"]


def test_warns_when_bound_beyond_loopback(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from seatcast.cli import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: seen.update(kw, app=web_app))
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--db", str(store_path), "--allowed-host", "box.lan",
                                 "--max-body", "1000", "--max-forecasts", "3"])
    assert r.exit_code == 0, r.output
    assert "reachable from the network" in r.output and seen["host"] == "0.0.0.0"
    assert seen["app"].state.workers.max_forecasts == 3
    quiet = CliRunner().invoke(app, ["serve", "--db", str(store_path)])
    assert quiet.exit_code == 0 and "reachable from the network" not in quiet.output
