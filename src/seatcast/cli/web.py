"""``seatcast serve``: the web dashboard and its JSON API, on this machine by default."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from seatcast.cli.app import DbOption, app
from seatcast.errors import InputError


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
    max_sims: Annotated[
        int | None, typer.Option("--max-sims", min=1, help="Cap on simulations per forecast request.")
    ] = None,
    night_results: Annotated[Path | None, typer.Option(
        "--night-results", help="Follow this results file (the CSV or JSON lines `night` reads; - for a feed on "
                                "standard input) at /night.")] = None,
    night_base: Annotated[str | None, typer.Option(
        "--night-base", help="Base election of the live night (default: the latest stored general election).")] = None,
    night_prior: Annotated[Path | None, typer.Option(
        "--night-prior", help="Forecast JSON (`seatcast forecast --format json`) as the live night's prior.")] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="Another name the server answers to (Host header); repeatable."),
    ] = None,
    max_body: Annotated[
        int | None, typer.Option("--max-body", min=1, help="Largest request body in bytes (default 262144).")
    ] = None,
    max_forecasts: Annotated[
        int | None, typer.Option("--max-forecasts", min=1, help=(
            "Forecasts that may run at once in each server process (default 2): with --workers N, "
            "up to N times as many in all."))
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help=(
        "Server processes (default 1). Each loads and warms the model itself and has its own "
        "--max-forecasts slots; more processes answer more swingometer requests at once on a "
        "machine with the cores for them."))] = 1,
) -> None:
    """Serve the dashboard (hex map, swingometer, seat pages) and the API (OpenAPI at /docs)."""
    from seatcast.extras import require_extra

    if workers < 1:
        raise InputError(f"--workers must be at least 1 (server processes), not {workers}")
    require_extra("fastapi", "uvicorn", what="seatcast serve")
    import uvicorn

    from seatcast.web.app import create_app
    from seatcast.web.guards import is_loopback

    if night_results is None and (night_base is not None or night_prior is not None):
        raise InputError("--night-base and --night-prior describe a live night: give --night-results FILE too")
    if workers > 1 and night_results is not None:
        raise InputError("--night-results follows one live feed in one process: use --workers 1 with it")
    if workers > 1:
        # Each worker process builds its own app (uvicorn imports the factory by name), so the
        # options travel as the environment variables that create_app reads. The app is built
        # here once as well, so a bad option is reported before any process starts.
        env = server_env(db=db, max_sims=max_sims, host=host, allowed_hosts=allowed_host or (), max_body=max_body,
                         max_forecasts=max_forecasts)
        os.environ.update(env)
        create_app(warm=False)
        if not is_loopback(host):
            typer.echo(f"warning: listening on {host}: the dashboard and its API are reachable from the network, "
                       "without a password; use --host 127.0.0.1 to keep it on this machine", err=True)
        typer.echo(f"seatcast dashboard on http://{host}:{port}/  ({workers} server processes; API docs: /docs; "
                   "Ctrl-C stops)")
        uvicorn.run("seatcast.web.app:create_app", factory=True, workers=workers, host=host, port=port,
                    log_level="warning")
        return
    web_app = create_app(db=db, max_sims=max_sims, host=host, allowed_hosts=allowed_host or (),
                         max_body=max_body, max_forecasts=max_forecasts)
    if night_results is not None:
        from seatcast.web.night import live_night

        web_app.state.night.live = live_night(web_app.state.dashboard.store, night_results, night_base, night_prior)
        typer.echo(f"election night: following {night_results} at /night (base {web_app.state.night.live.base.id})")
    if not is_loopback(host):
        typer.echo(f"warning: listening on {host}: the dashboard and its API are reachable from the network, "
                   "without a password; use --host 127.0.0.1 to keep it on this machine", err=True)
    typer.echo(f"seatcast dashboard on http://{host}:{port}/  (API docs: /docs; Ctrl-C stops)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def server_env(*, db: Path | None, max_sims: int | None, host: str, allowed_hosts: Iterable[str],
               max_body: int | None, max_forecasts: int | None) -> dict[str, str]:
    """The environment variables that carry ``serve``'s options to :func:`~seatcast.web.app.create_app`.

    Only the options given are set (the others keep the process's own environment, or the
    defaults); the database path is made absolute, as a worker resolves it on its own.
    """
    env = {"SEATCAST_HOST": host, "SEATCAST_ALLOWED_HOSTS": ",".join(allowed_hosts)}
    if db is not None:
        env["SEATCAST_DB"] = str(Path(db).expanduser().resolve())
    for name, value in (("SEATCAST_MAX_SIMS", max_sims), ("SEATCAST_MAX_BODY", max_body),
                        ("SEATCAST_MAX_FORECASTS", max_forecasts)):
        if value is not None:
            env[name] = str(value)
    return env
