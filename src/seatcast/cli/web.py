"""``seatcast serve``: the web dashboard and its JSON API, on this machine by default."""

from __future__ import annotations

from typing import Annotated

import typer

from seatcast.cli.app import DbOption, app


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
    max_sims: Annotated[
        int | None, typer.Option("--max-sims", min=1, help="Cap on simulations per forecast request.")
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="Another name the server answers to (Host header); repeatable."),
    ] = None,
    max_body: Annotated[
        int | None, typer.Option("--max-body", min=1, help="Largest request body in bytes (default 262144).")
    ] = None,
    max_forecasts: Annotated[
        int | None, typer.Option("--max-forecasts", min=1, help="Forecasts that may run at once (default 2).")
    ] = None,
) -> None:
    """Serve the dashboard (hex map, swingometer, seat pages) and the API (OpenAPI at /docs)."""
    import uvicorn

    from seatcast.web.app import create_app
    from seatcast.web.guards import is_loopback

    web_app = create_app(db=db, max_sims=max_sims, host=host, allowed_hosts=allowed_host or (),
                         max_body=max_body, max_forecasts=max_forecasts)
    if not is_loopback(host):
        typer.echo(f"warning: listening on {host}: the dashboard and its API are reachable from the network, "
                   "without a password; use --host 127.0.0.1 to keep it on this machine", err=True)
    typer.echo(f"seatcast dashboard on http://{host}:{port}/  (API docs: /docs; Ctrl-C stops)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
