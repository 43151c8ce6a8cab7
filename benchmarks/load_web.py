"""Load test of ``POST /api/project``: concurrent clients moving the swingometer.

Starts its own uvicorn server (a separate process, 127.0.0.1 only, a free port), then runs
``--clients`` asyncio clients, each on its own kept-alive HTTP/1.1 connection, that post a
projection, wait for the answer and post the next, for ``--seconds`` or until
``--max-requests`` have been sent, whichever comes first. The clients speak plain HTTP over
asyncio streams with bodies made before the clock starts, so the load generator costs less CPU
than the server and the figures measure the server. ``--think`` makes each client pause
(uniformly 0.5-1.5 times the value) between requests, as a person dragging a debounced slider
does (the clients' first requests are spread over one such pause); the default, 0, is a closed
loop. Each request carries new random GB shares around the
base election's (rounded to 0.1 points, as a slider gives them), so the server's answer cache
almost never helps. Prints requests per
second, latency percentiles and the error count. The model is the default, ``auto`` (as the page
uses). Goal: p99 under 100 ms, no errors.

``--server-workers N`` starts N server processes (uvicorn's ``--workers``, as ``seatcast serve
--workers N`` does), each warmed up before the clock starts; each has its own forecast slots.

``--forecast-clients 2`` adds clients that run forecasts (``POST /api/forecast``,
``--forecast-sims`` each) back to back while the slider clients run: the swingometer's goal is
then p99 under 250 ms, and the forecasts' own figures are printed apart.

    .venv/bin/python benchmarks/load_web.py                       # 50 clients, 30 s
    .venv/bin/python benchmarks/load_web.py --forecast-clients 2  # ... with two forecasts running
    .venv/bin/python benchmarks/load_web.py --server-workers 2       # ... served by two processes
    .venv/bin/python benchmarks/load_web.py --clients 10 --seconds 5 --json

The server uses ``--db`` when given, else a fresh store built from the bundled data in a
temporary folder (never the user's database).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


EXTRA: list[str] = os.environ.get("LOADWEB_EXTRA", "").split()


#: What uvicorn logs (at level info) when a server process has warmed up and accepts connections.
STARTED = b"Application startup complete."


def start_server(db: Path, port: int, workers: int = 1, log: Path | None = None) -> subprocess.Popen[bytes]:
    """uvicorn with the seatcast app, in its own process(es) so the clients do not share its GIL.

    ``workers`` server processes (uvicorn's ``--workers``), each warming itself; their start-up
    lines go to ``log`` (see :func:`wait_ready`).
    """
    env = {**os.environ, "SEATCAST_DB": str(db)}
    cmd = [sys.executable, "-m", "uvicorn", "seatcast.web.app:create_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "info", "--no-access-log",
           "--timeout-keep-alive", "60", "--workers", str(workers), *EXTRA]
    if log is None:
        return subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with open(log, "wb") as out:  # the child writes to its own copy of the file
        return subprocess.Popen(cmd, env=env, stderr=out, stdout=out)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0, workers: int = 1,
               log: Path | None = None) -> None:
    """Wait until the server answers and every worker process has warmed up (the first start may build the store).

    The clients open their connections at once when the clock starts: a worker still warming
    up would get none of them, and the figures would be those of fewer processes.
    """
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        started = log.read_bytes().count(STARTED) if log is not None else workers
        try:
            if started >= workers and httpx.get(url + "/api/meta", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start in time")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process ``pid`` and all its descendants so far; None off Linux."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo = 0.0, [pid]
    try:
        while todo:
            p = todo.pop()
            with open(f"/proc/{p}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", "rb") as f:
                    todo.extend(int(c) for c in f.read().split())
    except (OSError, ValueError, IndexError):
        return None
    return total


async def run_clients(url: str, base: str, model: str, clients: int, seconds: float, max_requests: int,
                      seed: int, think: float = 0.0, forecast_clients: int = 0,
                      forecast_sims: int = 20_000, server_pid: int | None = None) -> dict[str, Any]:
    """Run the clients; return latencies (seconds) and errors, the forecast clients' apart.

    With ``server_pid``, also the CPU seconds the server's processes and this load generator
    spent while the clock ran: where a request's time goes on a machine they share.
    """
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=30) as warm:  # set-up only, before the clock
        baseline = (await warm.get(f"/api/baseline/{base}")).json()
        start_shares = {p["code"]: p["share"] for p in baseline["parties"]}
        await warm.post("/api/project", json={"base": base, "model": model, "shares": start_shares})

    rng = np.random.default_rng(seed)
    parties = list(start_shares)
    latencies: list[float] = []
    errors: list[str] = []
    sent = 0

    # Bodies are made before the clock starts (one per request up to 60,000, so the server's
    # answer cache almost never helps), and the clients spend their CPU on HTTP only.
    n_bodies = min(max_requests, 60_000)
    centre = np.array([start_shares[p] for p in parties])
    moved = np.maximum(0.0, centre + rng.normal(0, 3, (n_bodies, len(parties))))
    moved *= np.minimum(1.0, 99 / moved.sum(axis=1, keepdims=True))
    moved = np.round(moved, 1)
    bodies = [json.dumps({"base": base, "model": model,
                          "shares": dict(zip(parties, row.tolist(), strict=True))}).encode() for row in moved]
    host, port = url.removeprefix("http://").split(":")

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        # A client's connection, opened as the page opens it: connect, then GET /api/meta. Opened
        # one after another before the clock starts, as browsers arrive one by one: several
        # server processes (--server-workers) then share the connections as they would share
        # visitors. Fifty connects in the same millisecond would mostly land on whichever process
        # wakes first (9 and 41 of 50 were seen), and the figures would be those of one process.
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        await read_answer(reader)
        return reader, writer

    async def client(k: int, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        # One keep-alive connection per client, as 50 browsers would have, spoken in plain
        # HTTP/1.1 over asyncio streams: a Python HTTP library would cost the load generator
        # more CPU than the server spends per request, and the figures would measure it.
        nonlocal sent
        reader, writer = conn
        if think > 0:  # people do not all move a slider in the same millisecond: spread the first requests
            await asyncio.sleep(think * rng.random())
        try:
            while time.perf_counter() < stop_at and sent < max_requests:
                payload = bodies[sent % len(bodies)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    status, text = await post(reader, writer, "/api/project", payload)
                    if status != 200:
                        errors.append(f"HTTP {status}: {text[:200]!r}")
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - t0)
                if think > 0:
                    await asyncio.sleep(think * (0.5 + rng.random()))
        finally:
            writer.close()

    forecasts: dict[str, Any] = {"latencies": [], "errors": []}

    async def forecaster(k: int) -> None:
        # Forecasts one after another, each with its own seed, until the slider clients stop.
        reader, writer = await asyncio.open_connection(host, int(port))
        n = 0
        try:
            while time.perf_counter() < stop_at:
                payload = json.dumps({"base": base, "model": model, "shares": start_shares,
                                      "sims": forecast_sims, "seed": 1000 * k + n}).encode()
                n += 1
                t0 = time.perf_counter()
                status, text = await post(reader, writer, "/api/forecast", payload)
                if status != 200:
                    forecasts["errors"].append(f"HTTP {status}: {text[:200]!r}")
                forecasts["latencies"].append(time.perf_counter() - t0)
        finally:
            writer.close()

    conns = [await connect() for _ in range(clients)]
    server_cpu0 = cpu_seconds(server_pid) if server_pid is not None else None
    own_cpu0 = time.process_time()
    stop_at = time.perf_counter() + seconds
    t_start = time.perf_counter()
    running = asyncio.gather(*(forecaster(k) for k in range(forecast_clients)))
    await asyncio.gather(*(client(k, conn) for k, conn in enumerate(conns)))
    wall = time.perf_counter() - t_start  # the slider clients' time (a forecast may still be finishing)
    server_cpu1 = cpu_seconds(server_pid) if server_pid is not None else None
    own_cpu = time.process_time() - own_cpu0
    await running
    server_cpu = server_cpu1 - server_cpu0 if server_cpu0 is not None and server_cpu1 is not None else None
    return {"latencies": latencies, "errors": errors, "wall": wall, "forecasts": forecasts,
            "server_cpu": server_cpu, "client_cpu": own_cpu}


async def post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str,
               payload: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on a kept-alive connection: status and body (Content-Length framing)."""
    writer.write(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (path.encode(), len(payload), payload))
    await writer.drain()
    return await read_answer(reader)


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """An HTTP/1.1 answer's status and body (Content-Length framing)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        raise ValueError("response without Content-Length")
    return status, await reader.readexactly(length)


def summarise(run: dict[str, Any], clients: int) -> dict[str, Any]:
    """Requests per second and latency percentiles in milliseconds (forecasts apart, when run)."""
    lat = np.array(run["latencies"]) * 1000
    fc = run.get("forecasts") or {"latencies": [], "errors": []}
    f_lat = np.array(fc["latencies"]) * 1000
    forecasts = {"forecasts": int(f_lat.size), "forecast_errors": len(fc["errors"]),
                 "forecast_p50_ms": round(float(np.percentile(f_lat, 50)), 1) if f_lat.size else None,
                 "forecast_first_errors": fc["errors"][:3]}
    return {**forecasts,
        "clients": clients, "requests": int(lat.size), "seconds": round(run["wall"], 2),
        "req_per_s": round(lat.size / run["wall"], 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if lat.size else None,
        "p90_ms": round(float(np.percentile(lat, 90)), 1) if lat.size else None,
        "p99_ms": round(float(np.percentile(lat, 99)), 1) if lat.size else None,
        "max_ms": round(float(lat.max()), 1) if lat.size else None,
        "errors": len(run["errors"]), "first_errors": run["errors"][:3],
        # CPU per slider request (ms), the server's processes and this load generator apart
        # (with forecasts running, the server's includes theirs).
        "server_cpu_ms_per_req": round(1000 * run["server_cpu"] / lat.size, 2)
        if run.get("server_cpu") is not None and lat.size else None,
        "client_cpu_ms_per_req": round(1000 * run["client_cpu"] / lat.size, 2)
        if run.get("client_cpu") is not None and lat.size else None,
    }


def main() -> None:
    """Parse arguments, start the server, load it, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--base", default="ge2024")
    ap.add_argument("--model", default="auto")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean seconds a client waits between requests (0: closed loop, as fast as answered)")
    ap.add_argument("--forecast-clients", type=int, default=0,
                    help="clients running forecasts back to back alongside (goal then: p99 < 250 ms)")
    ap.add_argument("--forecast-sims", type=int, default=20_000, help="simulations per forecast")
    ap.add_argument("--db", type=Path, default=None, help="store to serve (default: a fresh temporary one)")
    ap.add_argument("--server-workers", type=int, default=1,
                    help="server processes (uvicorn --workers; each warms itself and has its own forecast slots)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 600 or args.max_requests < 1:
        ap.error("bounds: 1-500 clients, 0-600 seconds, at least one request")
    if not 1 <= args.server_workers <= 64:
        ap.error("bounds: 1-64 server workers")

    with tempfile.TemporaryDirectory(prefix="seatcast-load-") as tmp:
        db = args.db or Path(tmp) / "seatcast.db"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "server.log"
        proc = start_server(db, port, args.server_workers, log)
        try:
            try:
                wait_ready(url, proc, workers=args.server_workers, log=log)
            except RuntimeError:
                sys.stderr.write(log.read_text(errors="replace")[-4000:])
                raise
            run = asyncio.run(run_clients(url, args.base, args.model, args.clients, args.seconds,
                                          args.max_requests, args.seed, args.think, args.forecast_clients,
                                          args.forecast_sims, proc.pid))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    out = summarise(run, args.clients)
    out["server_workers"] = args.server_workers
    goal = 250 if args.forecast_clients else 100
    out["goal_p99_ms"] = goal
    if args.json:
        print(json.dumps(out))
        return
    print(f"POST /api/project, base {args.base}, model {args.model}: {out['clients']} clients "
          f"(think {args.think} s), {args.server_workers} server process(es), "
          f"{out['requests']} requests in {out['seconds']} s")
    print(f"  {out['req_per_s']} req/s; latency p50 {out['p50_ms']} ms, p90 {out['p90_ms']} ms, "
          f"p99 {out['p99_ms']} ms, max {out['max_ms']} ms; errors {out['errors']}")
    print(f"  CPU per request: server {out['server_cpu_ms_per_req']} ms, load generator "
          f"{out['client_cpu_ms_per_req']} ms; load average {os.getloadavg()[0]:.2f} (1 min, at the end)")
    for e in out["first_errors"]:
        print(f"  error: {e}")
    if args.forecast_clients:
        print(f"  alongside: {args.forecast_clients} forecast clients, {out['forecasts']} forecasts of "
              f"{args.forecast_sims} sims (p50 {out['forecast_p50_ms']} ms), errors {out['forecast_errors']}")
        for e in out["forecast_first_errors"]:
            print(f"  forecast error: {e}")
    ok = out["errors"] == 0 and out["p99_ms"] is not None and out["p99_ms"] < goal
    print(f"  goal (p99 < {goal} ms, no errors): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
