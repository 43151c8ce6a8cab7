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
) -> None:
    """Serve the dashboard (hex map, swingometer, seat pages) and the API (OpenAPI at /docs)."""
    from seatcast.extras import require_extra

    require_extra("fastapi", "uvicorn", what="seatcast serve")
    import uvicorn

    from seatcast.web.app import create_app

    web_app = create_app(db=db, max_sims=max_sims)
    typer.echo(f"seatcast dashboard on http://{host}:{port}/  (API docs: /docs; Ctrl-C stops)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
