"""``seatcast serve``: the web dashboard and its JSON API, on this machine by default."""

from __future__ import annotations

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
) -> None:
    """Serve the dashboard (hex map, swingometer, seat pages) and the API (OpenAPI at /docs)."""
    import uvicorn

    from seatcast.web.app import create_app

    if night_results is None and (night_base is not None or night_prior is not None):
        raise InputError("--night-base and --night-prior describe a live night: give --night-results FILE too")
    web_app = create_app(db=db, max_sims=max_sims)
    if night_results is not None:
        from seatcast.web.night import live_night

        web_app.state.night.live = live_night(web_app.state.dashboard.store, night_results, night_base, night_prior)
        typer.echo(f"election night: following {night_results} at /night (base {web_app.state.night.live.base.id})")
    typer.echo(f"seatcast dashboard on http://{host}:{port}/  (API docs: /docs; Ctrl-C stops)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
