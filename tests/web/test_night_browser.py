"""The election-night page in real headless Chromium (Debian's ``chromium``), driven by Python Playwright.

Waits are written as functions (``"() => ..."``): Playwright evaluates a bare expression with
``eval``, which a strict Content-Security-Policy (no ``unsafe-eval``) refuses.

As in test_web_browser.py: a uvicorn server in a thread on a free 127.0.0.1 port over the session
store; the page's console errors, page errors, failed requests, 4xx/5xx answers and any request
leaving the server are recorded and must be none.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from browser_support import headless_chromium

from seatcast.data.declarations import declaration_order
from seatcast.data.store import Store

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: The replay prior fits the covariate model once (about 16 s on a loaded 2-core box).
PRIOR_TIMEOUT_MS = 120_000



@pytest.fixture(scope="module")
def server_app(store_path: Path, store: Store) -> Iterator[tuple[str, Any]]:
    import uvicorn

    from seatcast.web.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    web_app = create_app(db=store_path, max_sims=20_000)
    config = uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", web_app
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(server_app: tuple[str, Any]) -> str:
    return server_app[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as b:
        yield b


@contextmanager
def _open(browser: Any, server: str, path: str, ready: str, timeout_ms: int) -> Iterator[Any]:
    """A watched page at ``path``, once it shows ``ready`` seats declared; no problems when it closes."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 950})
    p = ctx.new_page()
    p.set_default_timeout(15_000)
    problems: list[str] = []
    p.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    p.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    p.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} {r.failure}"))
    p.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    p.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:"))
         else problems.append(f"external request: {r.url}"))
    p.goto(server + path)
    p.wait_for_function(f"() => document.body.dataset.declared === '{ready}'", timeout=timeout_ms)
    yield p
    ctx.close()
    assert problems == []


@pytest.fixture
def night_page(browser: Any, server: str) -> Iterator[Any]:
    with _open(browser, server, "/night?night=ge2024", "0", PRIOR_TIMEOUT_MS) as p:
        yield p


def _hexes(p: Any) -> list[dict[str, str]]:
    return list(p.eval_on_selector_all(
        "#hexmap .hex", "els => els.map(e => ({id: e.dataset.id, party: e.dataset.party, declared: e.dataset.declared, "
        "opacity: e.getAttribute('fill-opacity'), label: e.getAttribute('aria-label')}))"))


def _totals(p: Any, column: str) -> dict[str, str]:
    return dict(p.eval_on_selector_all(
        "#night-totals tbody tr", f"rows => rows.map(r => [r.dataset.party, "
        f"r.querySelector('[data-testid^=\"{column}-\"]').textContent])"))


def test_fast_replay_reaches_650_declared_and_ends_at_the_actual_result(night_page: Any, store: Store) -> None:
    p = night_page
    # 10 pm: every seat projected (pale), none declared; the totals have intervals and a majority line.
    hexes = _hexes(p)
    assert len(hexes) == 650 and all(h["declared"] == "0" and h["opacity"] == "0.3" for h in hexes)
    assert p.locator('[data-testid="majority-line"]').get_attribute("aria-label") == "Majority: 326 seats"
    assert "–" in p.locator('[data-testid="interval-lab"]').inner_text()
    assert p.locator('[data-testid="exit-lab"]').inner_text() == "410"  # the 10 pm exit poll, beside
    # One result: the first seat of the real 2024 order turns solid, and heads the latest list.
    p.locator('[data-testid="night-step"]').click()
    p.wait_for_function("() => document.body.dataset.declared === '1'", timeout=30_000)
    solid = [h for h in _hexes(p) if h["declared"] == "1"]
    assert [h["id"] for h in solid] == [declaration_order("ge2024")[0]] and solid[0]["opacity"] == "1"
    assert solid[0]["label"] == "Houghton and Sunderland South: declared, Labour"
    latest = p.locator("#night-latest li")
    assert latest.count() == 1 and "Houghton and Sunderland South" in latest.first.inner_text()
    assert "swing" in latest.first.inner_text()
    # As fast as possible: batches of seats per step until all 650 are in.
    p.locator('[data-testid="night-speed"]').select_option("fast")
    start = time.perf_counter()
    p.locator('[data-testid="night-play"]').click()
    p.wait_for_function("() => { const n = Number(document.body.dataset.declared); return n > 1 && n < 650; }",
                        timeout=30_000)
    middle = _hexes(p)
    assert any(h["declared"] == "1" for h in middle) and any(h["opacity"] == "0.3" for h in middle)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "night-middle.png"), full_page=True)
    p.wait_for_function("() => document.body.dataset.declared === '650'", timeout=60_000)
    elapsed = time.perf_counter() - start
    assert elapsed < 60, f"a fast replay of 650 seats took {elapsed:.1f} s"
    actual = store.load("ge2024")
    won = {party: int(n) for party, n in _totals(p, "won").items()}
    assert {k: v for k, v in won.items() if v} == actual.seats_won()
    projected = {party: float(v) for party, v in _totals(p, "projected").items()}
    assert {k: v for k, v in projected.items() if v} == {k: float(v) for k, v in actual.seats_won().items()}
    assert p.locator('[data-testid="interval-lab"]').inner_text() == "411–411"
    final = _hexes(p)
    assert all(h["declared"] == "1" and h["opacity"] == "1" for h in final)
    assert {h["id"]: h["party"] for h in final} == {c.id: c.winner.party_code for c in actual.constituencies}
    assert p.locator("#night-changes tbody tr").count() == 0  # nothing left to change hands
    assert p.locator('[data-testid="night-changes-none"]').inner_text() == "None: every seat has declared."
    assert p.locator('[data-testid="night-play"]').inner_text() == "Play"  # it stopped by itself
    p.screenshot(path=str(ARTIFACTS / "night-final.png"), full_page=True)
    assert (ARTIFACTS / "night-final.png").stat().st_size > 10_000
    print(f"fast replay of 650 seats: {elapsed:.1f} s")


def test_replay_at_ten_minutes_a_second_follows_the_night_clock(night_page: Any) -> None:
    p = night_page
    p.locator('[data-testid="night-speed"]').select_option("600")
    p.locator('[data-testid="night-play"]').click()
    p.wait_for_function("() => Number(document.body.dataset.declared) >= 5", timeout=60_000)
    p.locator('[data-testid="night-play"]').click()  # pause
    p.wait_for_function("() => !window.seatcastNight.state.inflight")
    shown, clock = p.evaluate("[window.seatcastNight.state.shown, window.seatcastNight.state.clock]")
    minutes = p.evaluate("window.seatcastNight.state.timeline.minutes")
    # Every seat shown had declared by the night's clock; the page never runs ahead of it.
    assert 5 <= shown <= sum(1 for m in minutes if m <= clock)
    assert minutes[shown - 1] <= clock
    assert p.locator('[data-testid="night-play"]').inner_text() == "Play"
    # Jumping to any point of the night shows the state after that many real declarations.
    p.locator('[data-testid="night-jump"]').fill("100")
    p.wait_for_function("() => document.body.dataset.declared === '100'", timeout=30_000)
    assert len([h for h in _hexes(p) if h["declared"] == "1"]) == 100
    assert p.evaluate("window.seatcastNight.state.clock") == minutes[99]


def _csv_rows(store: Store, ids: list[str]) -> str:
    el = store.load("ge2024")
    return "".join(f'{c.id},"{c.name}",{c.region or ""},"{k.party_label or k.party_code}","{k.name}",{k.votes}\n'
                   for c in (el.seat(sid) for sid in ids) for k in c.candidacies)


def test_live_night_follows_a_growing_results_file(browser: Any, server_app: tuple[str, Any], store: Store,
                                                   tmp_path: Path) -> None:
    from seatcast.web.night import live_night

    url, web_app = server_app
    order = declaration_order("ge2024")
    path = tmp_path / "night.csv"
    path.write_text("district_id,district_name,region,party,candidate,votes\n" + _csv_rows(store, order[:3]),
                    encoding="utf-8")
    web_app.state.night.live = live_night(store, path, "ge2019n24")
    try:
        with _open(browser, url, "/night", "3", 60_000) as p:
            assert p.locator("#night-source").input_value() == "live"
            assert p.locator("#night-latest li").first.get_attribute("data-id") == order[2]
            assert p.locator('[data-testid="night-play"]').is_disabled()  # the file sets the pace
            with path.open("a", encoding="utf-8") as fh:
                fh.write(_csv_rows(store, order[3:8]))
            os.utime(path, ns=(1, 10**18))
            p.wait_for_function("() => document.body.dataset.declared === '8'", timeout=30_000)
            assert p.locator("#night-latest li").first.get_attribute("data-id") == order[7]
            assert len([h for h in _hexes(p) if h["declared"] == "1"]) == 8
            assert p.locator('[data-testid="night-status"]').inner_text().startswith("Live: 8 of 650 declared")
    finally:
        web_app.state.night.live = None
