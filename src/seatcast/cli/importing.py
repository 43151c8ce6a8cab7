"""The ``seatcast import`` command: load any FPTP election from a CSV or XLSX file.

``--format`` here names the INPUT format (``hoc`` or ``generic``), as the command's contract
says; the output format is therefore ``--output-format`` (table, json or csv).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seatcast.api import open_store
from seatcast.cli.app import DbOption, Format, app
from seatcast.cli.output import console, emit, plural
from seatcast.data import parties as party_info
from seatcast.data.importer import import_file


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file: a House of Commons Library candidate file, "
                                              "or the generic schema (docs/generic-format.md).")],
    election: Annotated[str, typer.Option("--election", help="Id to store it under, e.g. nz2023.")],
    input_format: Annotated[
        str | None, typer.Option("--format", help="Input format: hoc or generic (default: detected from the header).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name (default: the id).")] = None,
    date: Annotated[str | None, typer.Option(help="Polling day, YYYY-MM-DD.")] = None,
    db: DbOption = None,
    output_format: Annotated[Format, typer.Option("--output-format", "-o", help="table, json or csv.")] = Format.table,
) -> None:
    """Import an election: the whole file is checked first, then written in one transaction."""
    report = import_file(file, election, store=open_store(db), fmt=input_format, name=name, date=date)
    data = report.to_dict()

    def table() -> None:
        from rich.table import Table

        con = console()
        verb = "Replaced" if report.replaced else "Imported"
        con.print(f"{verb} [bold]{report.election}[/bold] ({report.format} format) from {report.file}: "
                  f"{plural(report.seats, 'district')}, {plural(report.candidacies, 'candidacy', 'candidacies')}, "
                  f"{plural(len(report.regions), 'region')}")
        t = Table(title=f"Seats won, {report.name}")
        t.add_column("party")
        t.add_column("seats", justify="right")
        for party, seats in report.seats_won.items():
            t.add_row(party_info.name(party, report.party_names), str(seats))
        con.print(t)
        for note in report.warnings:
            con.print(f"[yellow]warning:[/yellow] {note}")

    rows = [{"election": report.election, "party": p, "seats": s} for p, s in report.seats_won.items()]
    emit(output_format, data, rows=rows, table=table)
