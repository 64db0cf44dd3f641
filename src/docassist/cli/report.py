"""``docassist report``: figures for a period, without names."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import i18n
from docassist.cli.errors import UsageError
from docassist.cli.export import output_format
from docassist.cli.register import add_sign_in_options, output_path, signed_in
from docassist.i18n import _

if TYPE_CHECKING:  # imported when run, so `docassist --help` stays quick
    from docassist.services.reports import Report

NAME = "report"
# Wider than any report table: Rich then lays each one out at its natural width.
UNLIMITED_WIDTH = 10_000


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    report = sub.add_parser(
        NAME, help=_("figures for a period: people served, documents, workshops (no names)")
    )
    report.add_argument(
        "--from", dest="start", metavar="DATE", help=_("first day (default: start of quarter)")
    )
    report.add_argument("--to", dest="end", metavar="DATE", help=_("last day (default: today)"))
    report.add_argument("--municipality", metavar="M", help=_("only this municipality"))
    report.add_argument("--format", choices=("table", "csv", "xlsx", "json"), dest="fmt")
    report.add_argument("--output", metavar="FILE", help=_("save to this file"))
    add_sign_in_options(report)
    # Also accepted after the command; SUPPRESS keeps a global --lang from being reset.
    report.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from docassist.procedures import load_all
    from docassist.services import export, reports
    from docassist.services.settings import load_settings

    fmt = output_format(args.fmt, args.output, "table")
    if fmt == "table" and args.output:
        raise UsageError(_("--format table prints to the screen; use csv, xlsx or json to save."))
    if fmt == "xlsx" and not args.output:
        raise UsageError(_("An XLSX file needs --output FILE."))
    output_path(args, args.output)
    language = i18n.current_language().code
    with signed_in(args) as ctx:
        period = reports.make_period(ctx.today(), args.start, args.end)
        municipality = reports.resolve_municipality(ctx, args.municipality)
        report = reports.build_report(
            ctx, period, municipality, load_all(), load_settings().small_counts_below
        )
        reports.audit_report(ctx, period, municipality)
    if fmt == "table":
        _print_report(report, language)
    elif args.output:
        path = export.write_report(report, fmt, Path(args.output), language)
        print(_("Report saved to {path}").format(path=path.resolve()))
    else:
        text = export.report_csv(report, language) if fmt == "csv" else None
        sys.stdout.write(text if text is not None else export.report_json(report, language))
    return 0


def _print_report(report: Report, language: str) -> None:
    from datetime import date

    from rich.console import Console
    from rich.table import Table

    from docassist.services import export

    # Rich assumes 80 columns when the output is not a terminal and squeezes the
    # tables to fit ("Docu…", "Beo…"): a file or a pipe has no width, so it gets
    # the tables at their natural width. A terminal keeps its own.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else UNLIMITED_WIDTH)

    def show(value: object) -> str:
        if isinstance(value, bool) or value is None:
            return "" if value is None else str(value)
        if isinstance(value, int):
            return i18n.format_number(value)
        if isinstance(value, float):
            return i18n.format_decimal(value, 1)
        if isinstance(value, date):
            return i18n.format_date(value)
        return str(value)

    for label, value in export.report_heading(report, language):
        console.print(f"{label}: {show(value)}", markup=False)
    for local, table in zip(export.localized_tables(report, language), report.tables, strict=True):
        out = Table(
            title=local.title, title_justify="left", caption=local.note, caption_justify="left"
        )
        for column, header in zip(table.columns, local.headers, strict=True):
            out.add_column(header, justify="left" if column.kind == "label" else "right")
        for row in local.rows:
            out.add_row(*(show(v) for v in row))
        if not local.rows:
            out.add_row(_("(nothing in this period)"))
        console.print()
        console.print(out)
