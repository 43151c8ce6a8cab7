"""``seatcast models``: the fitted models saved in the store (list, show one, fit them all up front)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from seatcast.api import fit_all, fitted_model, fitted_models
from seatcast.cli.app import DbOption, Format, FormatOption, app
from seatcast.cli.output import console, emit
from seatcast.fit.fitted import FittedModel

models_app = typer.Typer(
    help="Fitted models saved in the store (learned from earlier elections, loaded instead of refitted).",
    invoke_without_command=True,
)
app.add_typer(models_app, name="models")


def _row(m: FittedModel) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "as_of": m.as_of.isoformat() if m.as_of else "",
            "trained_on": " ".join(m.trained_on), "options": json.dumps(dict(m.options), sort_keys=True),
            "version": m.version, "fingerprint": m.fingerprint[:12], "created_at": m.created_at}


def _list(found: list[FittedModel], fmt: Format, title: str) -> None:
    rows = [_row(m) for m in found]

    def table() -> None:
        from rich.table import Table

        t = Table(title=title)
        for col in ("id", "kind", "as of", "trained on", "options"):
            t.add_column(col, no_wrap=col != "options", overflow="fold")
        for m in found:
            trained = f"{m.trained_on[0]}..{m.trained_on[-1]} ({len(m.trained_on)})" if m.trained_on else "-"
            opts = " ".join(f"{k}={len(v)}" if isinstance(v, list) else f"{k}={v}"
                            for k, v in sorted(m.options.items()))
            t.add_row(m.id, m.kind, m.as_of.isoformat() if m.as_of else "all", trained, opts)
        console().print(t)

    emit(fmt, {"models": [{k: v for k, v in m.to_dict().items() if k != "params"} for m in found]},
         rows=rows, table=table)


@models_app.callback()
def models_cmd(ctx: typer.Context, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """List the fitted models saved in the store."""
    if ctx.invoked_subcommand is None:
        _list(fitted_models(db=db), fmt, "Fitted models")


@models_app.command("show")
def show_cmd(
    fitted_id: Annotated[str, typer.Argument(metavar="ID", help="A fitted model's id (or a unique prefix).")],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Print one fitted model's parameters and what it was fitted on."""
    m = fitted_model(fitted_id, db=db)
    data = m.to_dict()
    if fmt is Format.table:
        con = console()
        con.print(f"[bold]{m.kind}[/bold] {m.id}  as of {m.as_of or 'all elections'}  "
                  f"trained on {', '.join(m.trained_on) or 'nothing'}")
        con.print(f"version {m.version}  fingerprint {m.fingerprint}  created {m.created_at}")
        con.print_json(json.dumps({"options": dict(m.options), "params": dict(m.params)}))
        return
    emit(fmt, data, rows=[{**_row(m), "params": json.dumps(dict(m.params), sort_keys=True)}])


@models_app.command("fit")
def fit_cmd(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Fit (or load) every model the bundled elections need, so later commands only load them."""
    _list(fit_all(db=db), fmt, "Fitted models (now stored)")
