"""What a coordinator looks at first: how many cases are open, blocked, overdue, done.

Below the counts, three lists (due this week, overdue, blocked with the reason) and
the counts by municipality with each one's settlements under it, one tab each so the
screen works at 80x24. Enter on a case opens it; coming back refreshes everything,
since the case may have moved on.

"Open" counts the active cases that are not blocked, so open and blocked add up to
the active cases; "this week" is today and the six days after it (services/dashboard).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    DataTable,
    Digits,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from docassist.domain.model import DOCUMENT_LABELS, Role
from docassist.domain.text import N_
from docassist.i18n import _, current_language, format_date, format_number, ngettext, pgettext
from docassist.services import cases
from docassist.services import dashboard as dash
from docassist.services.dashboard import CaseLine, Scope
from docassist.services.documents import ExpiringDocument
from docassist.ui.base import DocScreen
from docassist.ui.screens.case import checklist_title, step_title
from docassist.ui.widgets.area_bar import AreaBar
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.place_filters import (
    municipality_options,
    set_options_quietly,
    settlement_options,
)
from docassist.ui.widgets.title_bar import TitleBar

LISTS = ("due", "overdue", "blocked")  # pane ids, in the order of the tabs
LIMIT = 200  # rows per list; the filters narrow a longer one
COUNTS = ("open", "blocked", "overdue", "done")


def list_title(key: str) -> str:
    # Context "cases": these words count cases, unlike the same words as a status.
    return {
        "due": pgettext("cases", "Due this week"),
        "overdue": pgettext("cases", "Overdue"),
        "blocked": pgettext("cases", "Blocked"),
    }[key]


def count_label(key: str) -> str:
    return {
        "open": pgettext("cases", "Open"),
        "blocked": pgettext("cases", "Blocked"),
        "overdue": pgettext("cases", "Overdue"),
        "done": pgettext("cases", "Done this month"),
    }[key]


# Column widths: wide enough to tell rows apart; the line under the table shows all.
_WIDTHS = {"person": 20, "family": 14, "settlement": 14, "checklist": 20, "step": 24, "reason": 24}


class DashboardScreen(DocScreen):
    """Counts, then the cases that need someone this week, filterable by place and person."""

    BINDINGS = [
        Binding("w", "show_tab('due')", N_("This week")),
        Binding("o", "show_tab('overdue')", N_("Overdue")),
        Binding("b", "show_tab('blocked')", N_("Blocked")),
        # Its tab is on screen; the footer has no room for it at 80 columns in sr/rom.
        Binding("m", "show_tab('municipalities')", N_("Places"), show=False),
        Binding("x", "show_tab('expiring')", N_("Documents running out"), show=False),
        Binding("ctrl+r", "reload", N_("Refresh"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.municipality: str | None = None
        self.settlement: str | None = None
        # whose cases: the assignee's ("facilitator": the filter's name since before
        # cases had an assignee; a coordinator may follow cases too)
        self.facilitator_id: str | None = None
        self._composed_once = False
        self.active_tab = "due"
        self.lines: dict[str, dict[str, CaseLine]] = {key: {} for key in LISTS}
        self.totals: dict[str, int] = dict.fromkeys(LISTS, 0)
        # documents held that ran out, or will within 30 days: (person, kind) -> line
        self.expiring: dict[str, ExpiringDocument] = {}
        self.expired_total = 0
        self.soon_total = 0

    @property
    def scope(self) -> Scope:
        return Scope(self.municipality, self.settlement, self.facilitator_id)

    def _people(self) -> list[tuple[str, str]]:
        """The filter's choices: whose cases (the assignee's), "My cases" first."""
        me = self.ctx.user_id
        people = [(name, user_id) for user_id, name, _role in cases.assignable(self.ctx)]
        mine = [(_("My cases"), user_id) for _name, user_id in people if user_id == me]
        return mine + [p for p in people if p[1] != me]

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        if not self._composed_once:
            # a facilitator sees the cases they follow first; everyone's is one choice away
            self._composed_once = True
            if self.app.role == Role.FACILITATOR and ctx.user_id:
                self.facilitator_id = ctx.user_id
        people = self._people()
        yield TitleBar()
        yield AreaBar()
        with Horizontal(id="dash-filters"):
            yield DropDown(
                municipality_options(ctx),
                prompt=_("All municipalities"),
                value=self.municipality or Select.NULL,
                id="dash-municipality",
            )
            yield DropDown(
                settlement_options(ctx, self.municipality),
                prompt=_("All settlements"),
                value=self.settlement or Select.NULL,
                id="dash-settlement",
            )
            facilitator = DropDown(
                people,
                prompt=_("Everyone's cases"),
                value=self.facilitator_id or Select.NULL,
                id="dash-facilitator",
            )
            facilitator.display = len(people) > 1 or self.facilitator_id is not None
            yield facilitator
        with Horizontal(id="dash-counts"):
            for key in COUNTS:
                with Vertical(classes=f"count-box count-{key}"):
                    yield Label(count_label(key), classes="count-label")
                    yield Digits("0", id=f"count-{key}")
        with TabbedContent(initial=self.active_tab, id="dash-tabs"):
            for key in LISTS:
                with TabPane(list_title(key), id=key):
                    yield FastTable(
                        id=f"{key}-table",
                        cursor_type="row",
                        zebra_stripes=True,
                        classes="dash-list",
                    )
            with TabPane(expiring_title(0), id="expiring"):
                yield FastTable(
                    id="expiring-table",
                    cursor_type="row",
                    zebra_stripes=True,
                    classes="dash-list",
                )
            # "Places", not "By municipality": at 80 columns in Serbian and Romani the
            # tab row has room for five tabs only with the shorter word.
            with TabPane(_("Places"), id="municipalities"):
                yield FastTable(
                    id="municipalities-table",
                    cursor_type="row",
                    zebra_stripes=True,
                    classes="dash-list",
                )
        yield Static(id="dash-detail", classes="status-line")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()
        # The list of cases, not the first filter: Enter then opens a case at once.
        self.query_one(f"#{self.active_tab}-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        # A case opened from here may have been advanced: the counts have changed.
        if self.is_mounted:
            self.reload()

    def records_arrived(self) -> None:
        self.on_screen_resume()

    async def retranslate(self) -> None:
        # Redrawn in place rather than recomposed: the filters, the tab and the
        # cursor stay where the coordinator left them.
        for select_id, prompt in (
            ("#dash-municipality", _("All municipalities")),
            ("#dash-settlement", _("All settlements")),
            ("#dash-facilitator", _("Everyone's cases")),
        ):
            self.query_one(select_id, Select).prompt = prompt
        set_options_quietly(
            self.query_one("#dash-facilitator", Select), self._people(), self.facilitator_id
        )
        # Places are named and sorted in the script of the language: the same
        # choice, perhaps in another spelling.
        self._show_place_options()
        for key in COUNTS:
            self.query_one(f".count-{key} .count-label", Label).update(count_label(key))
        self.query_one(TabbedContent).get_tab("municipalities").label = _("Places")
        self.reload()

    # -- loading -------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        ctx, scope = self.ctx, self.scope
        counts = dash.counts(ctx, scope)
        for key, value in (
            ("open", counts.open),
            ("blocked", counts.blocked),
            ("overdue", counts.overdue),
            ("done", counts.done_this_month),
        ):
            self.query_one(f"#count-{key}", Digits).update(str(value))
        loaders = {
            "due": dash.due_this_week,
            "overdue": dash.overdue_cases,
            "blocked": dash.blocked_cases,
        }
        self.totals = {
            "due": dash.due_this_week_count(ctx, scope),
            "overdue": counts.overdue,
            "blocked": counts.blocked,
        }
        tabs = self.query_one(TabbedContent)
        for key in LISTS:
            lines = loaders[key](ctx, scope, limit=LIMIT)
            self.lines[key] = {line.case_id: line for line in lines}
            self._fill_list(key, lines)
            total = max(self.totals[key], len(lines))
            tabs.get_tab(key).label = f"{list_title(key)} ({format_number(total)})"
        lines_out, self.expired_total, self.soon_total = dash.expiring_documents(
            ctx, scope, limit=LIMIT
        )
        self.expiring = {f"{d.person_id}/{d.kind.value}": d for d in lines_out}
        self._fill_expiring(lines_out)
        tabs.get_tab("expiring").label = expiring_title(self.expired_total + self.soon_total)
        self._fill_municipalities(
            dash.counts_by_municipality(ctx, scope, _script()),
            dash.counts_by_settlement(ctx, scope, _script()),
        )
        self._show_detail()

    def _fill_list(self, key: str, lines: list[CaseLine]) -> None:
        table = self.query_one(f"#{key}-table", DataTable)
        keep = _cursor_key(table)
        table.clear(columns=True)
        today = self.ctx.today()
        date_width = len(format_date(date(2026, 12, 28))) + 2
        columns = {
            "due": (pgettext("column", "Due"), date_width),
            "person": (pgettext("column", "Person"), _WIDTHS["person"]),
            "step": (pgettext("column", "Current step"), _WIDTHS["step"]),
            "reason": (pgettext("column", "Reason"), _WIDTHS["reason"]),
            "checklist": (pgettext("column", "Procedure"), _WIDTHS["checklist"]),
            "settlement": (pgettext("column", "Settlement"), _WIDTHS["settlement"]),
            "family": (pgettext("column", "Family"), _WIDTHS["family"]),
        }
        order = (
            ["person", "reason", "step", "due", "checklist", "settlement", "family"]
            if key == "blocked"
            else ["due", "person", "step", "reason", "checklist", "settlement", "family"]
        )
        for column in order:
            label, width = columns[column]
            table.add_column(label, key=column, width=width)
        for line in lines:
            checklist = self.app.checklists.get(line.checklist_id)
            due = Text()
            if line.due_date:
                late = line.due_date < today
                due = Text(
                    ("! " if late else "") + format_date(line.due_date),
                    style="bold red" if late else "",
                )
            cells = {
                "due": due,
                "person": _cell(line.person_name, _WIDTHS["person"]),
                "step": _cell(
                    step_title(checklist, line.step_key) if line.step_key else "", _WIDTHS["step"]
                ),
                "reason": _cell(line.reason or "", _WIDTHS["reason"], style="red"),
                "checklist": _cell(
                    checklist_title(checklist, line.checklist_id), _WIDTHS["checklist"]
                ),
                "settlement": _cell(line.settlement, _WIDTHS["settlement"]),
                "family": _cell(line.family_name, _WIDTHS["family"]),
            }
            table.add_row(*(cells[c] for c in order), key=line.case_id)
        _restore_cursor(table, keep)

    def _fill_expiring(self, lines: list[ExpiringDocument]) -> None:
        """Expired first (the oldest first: longest without), then those running out."""
        table = self.query_one("#expiring-table", DataTable)
        keep = _cursor_key(table)
        table.clear(columns=True)
        today = self.ctx.today()
        date_width = len(format_date(date(2026, 12, 28))) + 2
        table.add_column(pgettext("column", "Valid until"), key="until", width=date_width)
        table.add_column(pgettext("column", "Person"), key="person", width=_WIDTHS["person"])
        table.add_column(pgettext("column", "Document"), key="document", width=_WIDTHS["step"])
        table.add_column(pgettext("column", "State"), key="state", width=_WIDTHS["reason"])
        table.add_column(
            pgettext("column", "Settlement"), key="settlement", width=_WIDTHS["settlement"]
        )
        table.add_column(pgettext("column", "Family"), key="family", width=_WIDTHS["family"])
        for line in lines:
            expired = line.expired(today)
            style = "bold red" if expired else "bold yellow"
            table.add_row(
                Text(("! " if expired else "") + format_date(line.valid_until), style=style),
                _cell(line.person_name, _WIDTHS["person"]),
                _cell(_(DOCUMENT_LABELS[line.kind]), _WIDTHS["step"]),
                _cell(expiry_words(line, today), _WIDTHS["reason"], style=style),
                _cell(line.settlement, _WIDTHS["settlement"]),
                _cell(line.family_name, _WIDTHS["family"]),
                key=f"{line.person_id}/{line.kind.value}",
            )
        _restore_cursor(table, keep)

    def _fill_municipalities(
        self, rows: list[dash.MunicipalityCounts], settlements: list[dash.SettlementCounts]
    ) -> None:
        """Each municipality, then its settlements under it (the same columns, which
        add up to the municipality's)."""
        table = self.query_one("#municipalities-table", DataTable)
        keep = _cursor_key(table)
        table.clear(columns=True)
        table.add_column(pgettext("column", "Municipality"), key="municipality")
        table.add_column(pgettext("column", "Settlement"), key="settlement")
        table.add_column(pgettext("column", "Open"), key="open")
        table.add_column(pgettext("column", "Blocked"), key="blocked")
        table.add_column(pgettext("column", "Overdue"), key="overdue")
        under: dict[str, list[dash.SettlementCounts]] = {}
        for place in settlements:
            under.setdefault(place.municipality_key, []).append(place)

        def numbers(row: dash.MunicipalityCounts | dash.SettlementCounts, style: str) -> list:
            return [
                Text(format_number(n), justify="right", style=style)
                for n in (row.open, row.blocked, row.overdue)
            ]

        for row in rows:
            name = row.municipality or _("(no municipality)")
            table.add_row(Text(name, style="bold"), Text(), *numbers(row, "bold"), key=row.key)
            for place in under.get(row.key, ()):
                table.add_row(
                    Text(),
                    _cell(place.settlement or _("(no settlement)"), _WIDTHS["settlement"] + 6),
                    *numbers(place, ""),
                    key=settlement_row_key(place.municipality_key, place.key),
                )
        _restore_cursor(table, keep)

    def _show_detail(self) -> None:
        """Everything about the highlighted case, on the line under the table."""
        detail = self.query_one("#dash-detail", Static)
        if self.active_tab == "municipalities":
            table = self.query_one("#municipalities-table", DataTable)
            if _SETTLEMENT_ROW in (_cursor_key(table) or ""):
                detail.update(_("Enter: show only this settlement."))
            else:
                detail.update(_("Enter: show only this municipality."))
            return
        if self.active_tab == "expiring":
            self._show_expiring_detail(detail)
            return
        table = self.query_one(f"#{self.active_tab}-table", DataTable)
        if not table.row_count:
            detail.update(_("Nothing in this list."))
            return
        out = Text()
        shown, total = table.row_count, self.totals[self.active_tab]
        if total > shown:
            out.append(
                _("Showing {shown} of {total}: choose a municipality or settlement.").format(
                    shown=format_number(shown), total=format_number(total)
                )
                + "\n",
                style="bold",
            )
        line = self.lines[self.active_tab].get(_cursor_key(table) or "")
        if line is None:
            detail.update(out)
            return
        checklist = self.app.checklists.get(line.checklist_id)
        parts = [
            line.person_name,
            ", ".join(p for p in (line.family_name, line.settlement, line.municipality) if p),
            checklist_title(checklist, line.checklist_id),
        ]
        if line.step_key:
            parts.append(step_title(checklist, line.step_key))
        if line.due_date:
            parts.append(_("due {date}").format(date=format_date(line.due_date)))
        if line.reason:
            parts.append(line.reason)
        out.append(" · ".join(p for p in parts if p))
        detail.update(out)

    def _show_expiring_detail(self, detail: Static) -> None:
        table = self.query_one("#expiring-table", DataTable)
        counts = _("{expired} expired, {soon} expire within 30 days.").format(
            expired=format_number(self.expired_total), soon=format_number(self.soon_total)
        )
        if not table.row_count:
            detail.update(_("No document held runs out within 30 days."))
            return
        line = self.expiring.get(_cursor_key(table) or "")
        if line is None:
            detail.update(counts)
            return
        where = ", ".join(p for p in (line.family_name, line.settlement, line.municipality) if p)
        parts = [line.person_name, where, _(DOCUMENT_LABELS[line.kind])]
        parts.append(expiry_words(line, self.ctx.today()))
        detail.update(Text(counts + "\n" + " · ".join(p for p in parts if p)))

    # -- events ------------------------------------------------------------------

    @on(Select.Changed, "#dash-municipality")
    def _municipality_changed(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value == self.municipality:
            return
        self.municipality = value
        self.settlement = None
        set_options_quietly(
            self.query_one("#dash-settlement", Select), settlement_options(self.ctx, value), None
        )
        self.reload()

    @on(Select.Changed, "#dash-settlement, #dash-facilitator")
    def _filter_changed(self, event: Select.Changed) -> None:
        # The filters that only narrow the lists: a change reloads them.
        value = chosen(event.value)
        chosen_now = (self.settlement, self.facilitator_id)
        if event.select.id == "dash-settlement":
            self.settlement = value
        else:
            self.facilitator_id = value
        if (self.settlement, self.facilitator_id) != chosen_now:
            self.reload()

    @on(TabbedContent.TabActivated, "#dash-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.active_tab = event.pane.id or "due"
        self._show_detail()

    @on(DataTable.RowHighlighted, ".dash-list")
    def _row_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, ".dash-list")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if event.data_table.id == "municipalities-table":
            if key and _SETTLEMENT_ROW in key:
                self._show_settlement(*key.split(_SETTLEMENT_ROW, 1))
            elif key:
                self.query_one("#dash-municipality", Select).value = key
            return
        if event.data_table.id == "expiring-table":
            line = self.expiring.get(key or "")
            if line is not None:
                self.app.open_household(line.household_id)
            return
        if key:
            self.app.open_case(key)

    def _show_settlement(self, municipality: str, settlement: str) -> None:
        """Both filters at once: the settlement's options are its municipality's."""
        self.municipality = municipality or None
        self.settlement = settlement or None
        self._show_place_options()
        self.reload()

    def _show_place_options(self) -> None:
        """The place filters' options and choices, as the municipality and settlement
        chosen are (the settlement's options are its municipality's)."""
        set_options_quietly(
            self.query_one("#dash-municipality", Select),
            municipality_options(self.ctx),
            self.municipality,
        )
        set_options_quietly(
            self.query_one("#dash-settlement", Select),
            settlement_options(self.ctx, self.municipality),
            self.settlement,
        )

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.active_tab = tab
        self.query_one(f"#{tab}-table", DataTable).focus()
        self._show_detail()


# Between the municipality's key and the settlement's in a settlement row's key (a
# municipality row's key is the municipality's alone): no place key holds it.
_SETTLEMENT_ROW = "\x1f"


def settlement_row_key(municipality_key: str, settlement_key: str) -> str:
    return f"{municipality_key}{_SETTLEMENT_ROW}{settlement_key}"


def expiring_title(total: int) -> str:
    # Context "documents": counts documents, not cases.
    return f"{pgettext('documents', 'Expiring')} ({format_number(total)})"


def expiry_words(line: ExpiringDocument, today: date) -> str:
    """ "expired 12 days ago" / "expires today" / "expires in 9 days"."""
    days = (line.valid_until - today).days
    if days < 0:
        return ngettext("expired {n} day ago", "expired {n} days ago", -days).format(n=-days)
    if days == 0:
        return _("expires today")
    return ngettext("expires in {n} day", "expires in {n} days", days).format(n=days)


def _script() -> str:
    return current_language().script


def _cell(value: str, width: int, style: str = "") -> Text:
    # Text, not str: DataTable reads strings as markup, and names may hold "[".
    if len(value) > width:
        value = value[: width - 1] + "…"
    return Text(value, style=style, no_wrap=True, overflow="ellipsis")


def _cursor_key(table: DataTable) -> str | None:
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except CellDoesNotExist:  # the cursor points past the rows while the table refills
        return None


def _restore_cursor(table: DataTable, key: str | None) -> None:
    if key is None:
        return
    try:
        table.move_cursor(row=table.get_row_index(key), animate=False)
    except RowDoesNotExist:  # the row left the list (the case moved on)
        return
