"""Reports: the figures for a period, without names, as tables with bars; saved as CSV or XLSX.

One table at a time (n / p, or the list at the top) so the screen works at 80x24. The
period is typed as two dates and applied with Enter; a date that cannot be read is
said on the status line and the figures shown stay those of the last good period.
The whole register (with names) is exported only by a coordinator, after a warning,
encrypted with a passphrase asked in a dialog unless they explicitly choose not to.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import get_current_worker

from docassist.domain.model import Role
from docassist.domain.text import N_
from docassist.i18n import _, current_language, format_date, format_decimal, format_number
from docassist.services import export
from docassist.services import households as hh
from docassist.services import reports as rp
from docassist.services.context import ValidationError
from docassist.store.db import BusyDatabaseError
from docassist.ui.base import DocScreen
from docassist.ui.dialogs import (
    ExportProtection,
    SaveDialog,
    ask_to_export_names,
)
from docassist.ui.widgets.area_bar import AreaBar
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.screen_body import ScreenBody
from docassist.ui.widgets.title_bar import TitleBar

BAR_WIDTH = 12
LABEL_WIDTH = 34
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _amount(value: rp.Cell) -> float:
    """A cell of the bar column as a number: that column holds counts (None for none)."""
    return value if isinstance(value, int | float) else 0


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in Unicode blocks, ``width`` cells for ``largest``."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def _show(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_decimal(value, 1)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ReportsScreen(DocScreen):
    """The period's figures, one table at a time, with keys to save them."""

    # The keys (n, p, c, x, e) work when the table has focus, not while typing a date.
    AUTO_FOCUS = "#report-table"

    BINDINGS = [
        # Off the footer (80 columns in Serbian and Romani): the table list is on
        # screen and says which table is shown; F1 lists every key.
        Binding("n", "table(1)", N_("Next table"), show=False),
        Binding("p", "table(-1)", N_("Previous table"), show=False),
        Binding("c", "save('csv')", N_("Save CSV")),
        Binding("x", "save('xlsx')", N_("Save XLSX")),
        # Rare, for coordinators only, and behind a warning: F1 lists it.
        Binding("e", "full_export", N_("Export all (names)"), show=False),
        Binding("ctrl+r", "reload", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        # The default period ("this quarter so far") is set in compose, where the
        # context's clock can be reached.
        self.start_text = ""
        self.end_text = ""
        self.municipality: str | None = None
        self.table_index = 0
        self.report: rp.Report | None = None
        self.message: tuple[str, str] | None = None  # (text, style) on the status line
        # A bad period is forgotten once figures are counted again; a failed save
        # stays on the status line until something else is said.
        self.period_problem = False
        self._audited: tuple[rp.Period, str | None] | None = None  # the report last audited

    # -- drawing -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        period = rp.make_period(self.ctx.today())
        self.start_text = format_date(period.start)
        self.end_text = format_date(period.end)
        yield TitleBar()
        yield AreaBar()
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        with Horizontal(id="report-filters", classes="report-row"):
            yield Label(_("From"), classes="report-label")
            yield Input(self.start_text, id="report-from", compact=True)
            yield Label(_("To"), classes="report-label")
            yield Input(self.end_text, id="report-to", compact=True)
            yield Select(
                [(m, m) for m in hh.municipalities(self.ctx)],
                prompt=_("All municipalities"),
                value=self.municipality or Select.NULL,
                id="report-municipality",
                compact=True,
            )
        with Horizontal(classes="report-row"):
            yield Select(
                [],
                prompt=_("Table"),
                id="report-table-choice",
                compact=True,
            )
        yield FastTable(id="report-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="report-note", classes="hint")
        yield Static(id="report-status", classes="status-line")

    def on_mount(self) -> None:
        # After a refresh: the table sits inside ScreenBody, whose children may not be
        # laid out yet; rows added before that kept the header's width in a real terminal.
        self.call_after_refresh(self._first_load)

    def _first_load(self) -> None:
        self.reload()
        self.query_one("#report-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        # Cases may have moved on in another area since the figures were made.
        if self.is_mounted and self.report is not None:
            self.reload()

    def records_arrived(self) -> None:
        self.on_screen_resume()

    async def retranslate(self) -> None:
        await self.query_one(ScreenBody).recompose()
        self._show_report()
        self.query_one("#report-table", DataTable).focus()

    # -- loading -------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Count again for the typed period; on a bad date keep the last figures."""
        try:
            period = rp.make_period(self.ctx.today(), self.start_text, self.end_text)
        except ValidationError as err:
            self._say(err.problems[next(iter(err.problems))][0].render(_), "bold red")
            self.period_problem = True
            return
        if self.report is None or self.message is None or self.period_problem:
            self._say(_("Counting ..."), "dim")
        self._build(period, self.municipality)

    @work(thread=True, exclusive=True, group="report")
    def _build(self, period: rp.Period, municipality: str | None) -> None:
        # In a thread: a whole register takes seconds to count and the keys must not
        # freeze meanwhile. The store opens its connection for use from any thread.
        report = rp.build_report(
            self.ctx,
            period,
            municipality,
            self.app.checklists,
            self.app.settings.small_counts_below,
        )
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._built, report)

    def _built(self, report: rp.Report) -> None:
        self.report = report
        # Audited here, on the app's thread, once per period and municipality shown
        # (a language switch counts again but shows the same report).
        shown = (report.period, report.municipality)
        if shown != self._audited:
            self._audit_report(report)
        if self.message and (self.period_problem or self.message[1] == "dim"):
            self.message = None  # the mistake is mended; a "saved to" line stays
        self._show_report()

    def _audit_report(self, report: rp.Report) -> None:
        try:
            rp.audit_report(self.ctx, report.period, report.municipality)
        except BusyDatabaseError:
            # Another program holds the register: recorded a moment later, as the
            # register's search does; the figures shown are the same.
            self.set_timer(2.0, lambda: self._audit_again(report))
            return
        self._audited = (report.period, report.municipality)

    def _audit_again(self, report: rp.Report) -> None:
        if (report.period, report.municipality) != self._audited:
            self._audit_report(report)

    def _show_report(self) -> None:
        report = self.report
        if report is None:
            return
        self.table_index %= len(report.tables)
        choices = self.query("#report-table-choice").results(Select)
        choice = next(choices, None)
        tables = self.query("#report-table")
        if choice is None or not tables or not _has_its_parts(choice):
            # Figures counted while a language switch redraws the body arrive while
            # the old Select is gone or before the new one has its parts; fill it once
            # it has them.
            self.call_after_refresh(self._show_report)
            return
        with self.prevent(Select.Changed):
            choice.set_options([(_(t.title), i) for i, t in enumerate(report.tables)])
            choice.value = self.table_index
        self._fill_table(report.tables[self.table_index])
        self._paint_status()

    def _fill_table(self, table: rp.Table) -> None:
        widget = self.query_one("#report-table", DataTable)
        widget.clear(columns=True)
        language = current_language().code
        bar_at = next((i for i, c in enumerate(table.columns) if c.bar), None)
        # A closing "all" row would dwarf every other bar: it is left out of the scale.
        scaled = table.rows[:-1] if table.total_row else table.rows
        largest = max((_amount(row[bar_at]) for row in scaled), default=0) if bar_at else 0
        for i, column in enumerate(table.columns):
            widget.add_column(_(column.title), key=column.key)
            if i == bar_at:
                widget.add_column("", key="bar", width=BAR_WIDTH + 1)
        total_at = len(table.rows) - 1 if table.total_row else None
        for row_index, row in enumerate(table.rows):
            cells: list[Text] = []
            for i, (column, value) in enumerate(zip(table.columns, row, strict=True)):
                shown = rp.localize(value, language)
                if column.kind == "label":
                    cells.append(Text(_clip(_show(shown), LABEL_WIDTH), no_wrap=True))
                else:
                    cells.append(Text(_show(shown), justify="right"))
                if i == bar_at:
                    # The "all" row has no bar: capped at the scale, it looked as
                    # large as the largest single row.
                    shown_bar = "" if row_index == total_at else bar(_amount(value), largest)
                    cells.append(Text(shown_bar, style="bold"))
            widget.add_row(*cells)
        note = self.query_one("#report-note", Static)
        text = rp.table_note(table, _)
        note.update(text or "")
        note.display = bool(text)
        if not table.rows:
            note.update(_("Nothing in this period."))
            note.display = True

    def _say(self, text: str, style: str = "") -> None:
        self.message = (text, style)
        self.period_problem = False
        self._paint_status()

    def _paint_status(self) -> None:
        status = self.query_one("#report-status", Static)
        if self.message:
            status.update(Text(self.message[0], style=self.message[1]))
            return
        report = self.report
        if report is None:
            status.update("")
            return
        status.update(
            _("{start} – {end} · {place} · table {n} of {total} · no names").format(
                start=format_date(report.period.start),
                end=format_date(report.period.end),
                place=report.municipality or _("All municipalities"),
                n=self.table_index + 1,
                total=len(report.tables),
            )
        )

    # -- events ----------------------------------------------------------------------

    @on(Input.Changed, "#report-from")
    def _from_changed(self, event: Input.Changed) -> None:
        self.start_text = event.value

    @on(Input.Changed, "#report-to")
    def _to_changed(self, event: Input.Changed) -> None:
        self.end_text = event.value

    @on(Input.Submitted, "#report-from, #report-to")
    def _period_submitted(self) -> None:
        self.reload()
        if not self.period_problem:
            self.query_one("#report-table", DataTable).focus()

    @on(Select.Changed, "#report-municipality")
    def _municipality_changed(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value != self.municipality:
            self.municipality = value
            self.reload()

    @on(Select.Changed, "#report-table-choice")
    def _table_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.table_index:
            self.table_index = event.value
            self._show_report()

    def action_table(self, step: int) -> None:
        if self.report is None:
            return
        self.table_index = (self.table_index + step) % len(self.report.tables)
        self.message = None
        self._show_report()

    # -- saving ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "full_export":
            return self.app.role == Role.COORDINATOR
        return True

    def action_save(self, fmt: str) -> None:
        report = self.report
        if report is None:
            return
        default = export.default_export_dir() / export.default_report_name(report, fmt)
        language = current_language().code

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            try:
                written = export.write_report(report, fmt, path, language)
            except OSError as err:
                self._say(
                    _("Could not save to {path}: {reason}").format(
                        path=path, reason=err.strerror or type(err).__name__
                    ),
                    "bold red",
                )
                return
            self._say(_("Saved to {path}").format(path=written), "bold green")
            self.notify(_("Saved to {path}").format(path=written))

        title = {"csv": N_("Save the report as CSV"), "xlsx": N_("Save the report as XLSX")}[fmt]
        self.app.push_screen(SaveDialog(lambda: _(title), default), chosen)

    def action_full_export(self) -> None:
        """Warn, ask for the export passphrase (or an explicit "unencrypted"), then
        where to save; only then is the register written."""
        if self.app.role != Role.COORDINATOR:
            self.notify(_("Only a coordinator may export the whole register."), severity="error")
            return

        def chosen(path: Path | None, protection: ExportProtection) -> None:
            if path is None:
                return
            self._say(_("Exporting the whole register; this can take a minute ..."), "bold")
            # After a refresh, so the line above is on screen while the file is written.
            self.call_after_refresh(write, path, protection)

        def write(path: Path, protection: ExportProtection) -> None:
            try:
                result = export.export_register(
                    self.ctx,
                    export.export_format(path),
                    path,
                    passphrase=protection.passphrase,
                    unencrypted=protection.unencrypted,
                )
            except ValidationError as err:
                self._say(str(err.problems[next(iter(err.problems))][0].render(_)), "bold red")
                return
            except BusyDatabaseError as err:  # nothing was written; the user tries again
                self._say(err.render(_), "bold red")
                return
            except OSError as err:
                self._say(
                    _("Could not save to {path}: {reason}").format(
                        path=path, reason=err.strerror or type(err).__name__
                    ),
                    "bold red",
                )
                return
            saved = _("The whole register was saved to {path}").format(path=result.path)
            if protection.unencrypted:
                self._say(saved + "\n" + _(export.UNENCRYPTED_WARNING), "bold red")
            else:
                self._say(saved + "\n" + _(export.OPENS_WITH), "bold yellow")

        def protected(protection: ExportProtection) -> None:
            default = export.default_export_dir() / export.full_export_name(
                self.ctx.today(), "xlsx", encrypted=not protection.unencrypted
            )
            self.app.push_screen(
                SaveDialog(lambda: _("Export the whole register (with names)"), default),
                lambda path: chosen(path, protection),
            )

        ask_to_export_names(
            self.app,
            lambda: _(export.PERSONAL_DATA_WARNING),
            N_("Export the whole register anyway? It is recorded in the audit log."),
            protected,
        )


def _has_its_parts(choice: Select) -> bool:
    """Whether a Select mounted by a recompose has the parts setting its options and its
    value reaches: the overlay, and the current value's label inside its own child, which
    mounts a moment later (seen in CI: NoMatches for '#label' during a language switch)."""
    return bool(choice.query("SelectOverlay")) and bool(choice.query("SelectCurrent #label"))
