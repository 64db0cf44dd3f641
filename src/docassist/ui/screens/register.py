"""The register: every household, found by name in any script, one page at a time."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static

from docassist.domain.text import N_
from docassist.i18n import _, current_language, format_number, ngettext, pgettext
from docassist.services import register_search
from docassist.store.db import BusyDatabaseError
from docassist.ui.base import DocScreen
from docassist.ui.who import place, who
from docassist.ui.widgets.area_bar import AreaBar
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.paged_table import PagedTable
from docassist.ui.widgets.place_filters import (
    Options,
    municipality_options,
    set_options_later_quietly,
    set_options_quietly,
    settlement_options,
)
from docassist.ui.widgets.screen_body import KeptFocus, recompose_body
from docassist.ui.widgets.title_bar import TitleBar

CASE_FILTERS = (
    ("open", N_("With open cases")),
    ("blocked", N_("With blocked cases")),
    ("overdue", N_("With overdue steps")),
)


class HouseholdListScreen(DocScreen):
    """Search-as-you-type over the whole register; pages load as the cursor moves down."""

    BINDINGS = [
        # Ctrl+N works while typing in the search box, where N is a letter; N alone
        # still works in the list. The footer shows the one that works now.
        Binding("ctrl+n,n", "new_household", N_("New household")),
        Binding("ctrl+f", "focus_search", N_("Search")),
        Binding("escape", "clear_search", N_("Clear"), show=False),
    ]

    # One page fills the tallest projector screen; the next is fetched on scroll.
    # Each keystroke loads this page, so its size is what search speed is measured on.
    PAGE = register_search.PAGE_SIZE
    # A remainder this short comes with the page before it: a second trip for a
    # few rows is not worth it, and a small register is then whole at once.
    TAIL = PAGE // 2

    def __init__(self) -> None:
        super().__init__()
        self.search_text = ""
        # Places by key (places.place_key): every spelling of the place is listed.
        self.municipality: str | None = None
        self.settlement: str | None = None
        self.case_filter: str | None = None
        self._loaded = 0
        self._total = 0
        # The search last recorded in the audit trail, and the pause before the next
        self._audited: tuple[str | None, ...] | None = None
        self._audit_timer: Timer | None = None
        # Set when another screen covers this one: only a return from there can
        # bring changes. Textual resumes a screen twice as its area first opens,
        # each resume reloading what on_mount had just loaded (a third of the
        # start-up's queries and sorting, for the same rows).
        self._covered = False
        self._first_page_loaded = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield AreaBar()
        # The body straight on the screen, in no ScreenBody and no toolbar box: each
        # container is one more widget laid out before every start's first frame
        # (together 46 M instructions, a tenth of what this screen costs beyond a
        # bare Textual app). A language switch redraws it all but the frame
        # (recompose_body).
        yield from self._compose_body()
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        ctx = self.ctx
        # The search has the whole width; the three filters share the line under
        # it, borderless, so all of them fit at 80 columns.
        yield Input(
            value=self.search_text,
            placeholder=_("Search by name or ID number, in any script"),
            id="search",
        )
        with Horizontal(id="register-filters"):
            # The places are counted over the whole register: only when a
            # filter is opened or chosen, not for the prompt the first frame shows.
            yield DropDown(
                options_later=partial(municipality_options, ctx),
                prompt=_("All municipalities"),
                value=self.municipality or Select.NULL,
                id="municipality",
                compact=True,
            )
            yield DropDown(
                options_later=partial(settlement_options, ctx, self.municipality),
                prompt=_("All settlements"),
                value=self.settlement or Select.NULL,
                id="settlement",
                compact=True,
            )
            yield DropDown(
                [(_(label), key) for key, label in CASE_FILTERS],
                prompt=_("All households"),
                value=self.case_filter or Select.NULL,
                id="case-filter",
                compact=True,
            )
        yield Static(id="empty", classes="empty-state hidden")
        table = PagedTable(id="household-table", cursor_type="row", zebra_stripes=True)
        # Text, not str: DataTable reads a str as Rich markup, and a family name is
        # not markup (parsing each cell was also a tenth of the list's first paint).
        table.add_column(Text(_("Family")), key="family")
        table.add_column(Text(_("Settlement")), key="settlement")
        table.add_column(Text(_("Municipality")), key="municipality")
        # Who they are, not only how many ("Sead +3": the head of household and three
        # others): two "Alijević · Dubrava · 4" are two families, told apart here.
        table.add_column(Text(_("People")), key="members")
        table.add_column(Text(pgettext("column", "Open")), key="open")
        table.add_column(Text(pgettext("column", "Blocked")), key="blocked")
        if not self._first_page_loaded:
            # The first page goes in before the table is mounted, so the first
            # frame already shows it: filled on mount instead, the table was
            # painted empty first, a fifth of the start-up's drawing for nothing.
            self._first_page_loaded = True
            self._count()
            self._load_page(table)
        yield table
        yield Static(id="status", classes="status-line")

    def on_mount(self) -> None:
        # The first page is in already (compose); the rest of what reload() does:
        self._show_state()
        self._audit_when_settled()
        if self._total:
            self.query_one("#search", Input).focus()

    def on_screen_suspend(self) -> None:
        self._covered = True

    def on_screen_resume(self) -> None:
        # Back from a household or the new-household form: show what changed there.
        if not self.is_mounted or not self._covered:
            return
        self._covered = False
        self._show_changes()

    def records_arrived(self) -> None:
        if self.is_mounted:
            self._show_changes()

    def _show_changes(self) -> None:
        """The list read again, the highlighted household kept where it still is."""
        self._first_page_loaded = False
        table = self.query_one(DataTable)
        current = None
        if table.row_count and table.cursor_row >= 0:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        self._refresh_places()
        self.reload()
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current), animate=False)
        if self.focused is None and self._total:
            table.focus()

    async def retranslate(self) -> None:
        # Only the body is redrawn (the frame stays mounted, see recompose_body).
        # Search text and filters live in attributes and are composed back in; the
        # pages loaded, the highlighted household and the focus are put back here,
        # so a facilitator switching language mid-list keeps their place.
        table = self.query_one(DataTable)
        current = None
        if table.row_count and table.cursor_row >= 0:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        loaded = self._loaded
        kept = KeptFocus(self)
        await recompose_body(self)
        self.reload()
        table = self.query_one(DataTable)
        while self._loaded < min(loaded, self._total):
            self._load_page()
        self._update_status()
        # By key, not by index: the new script may sort the families differently.
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current), animate=False)
        kept.restore()

    # -- loading ---------------------------------------------------------------

    def _refresh_places(self) -> None:
        """The filters' places as the register has them now, the settlements those
        of the municipality chosen (or of all). A choice no longer there is dropped:
        a household registered or moved meanwhile may have taken the last one away."""
        ctx = self.ctx
        self.municipality = self._refill(
            "#municipality", partial(municipality_options, ctx), self.municipality
        )
        self.settlement = self._refill(
            "#settlement", partial(settlement_options, ctx, self.municipality), self.settlement
        )

    def _refill(
        self, select_id: str, options: Callable[[], Options], key: str | None
    ) -> str | None:
        """A filter's new options, keeping its choice if the place is still there
        (the choice kept is returned). With no choice, they are built when opened."""
        drop = self.query_one(select_id, DropDown)
        if key is None:
            set_options_later_quietly(drop, options)
            return None
        listed = options()
        kept = key if any(option == key for _name, option in listed) else None
        set_options_quietly(drop, listed, kept)
        return kept

    def _script(self) -> str:
        return current_language().script

    def reload(self) -> None:
        """Start again from the first page (the query or a filter changed)."""
        self.query_one(DataTable).clear()
        self._count()
        self._load_page()
        self._show_state()
        self._audit_when_settled()

    def _count(self) -> None:
        self._loaded = 0
        self._total = register_search.count_households(
            self.ctx,
            self.search_text,
            municipality=self.municipality,
            settlement=self.settlement,
            case_filter=self.case_filter,
        )

    # Results shown are a read of personal data: one audit entry per search the user
    # settles on (typing paused this long), never one per keystroke.
    SEARCH_SETTLED = 1.5

    def _search_key(self) -> tuple[str | None, ...]:
        return (self.search_text.strip(), self.municipality, self.settlement, self.case_filter)

    def _audit_when_settled(self) -> None:
        if self._audit_timer is not None:
            self._audit_timer.stop()
            self._audit_timer = None
        key = self._search_key()
        if any(key) and key != self._audited:
            self._audit_timer = self.set_timer(self.SEARCH_SETTLED, self._audit_search)

    def _audit_search(self) -> None:
        self._audit_timer = None
        key = self._search_key()
        if not any(key) or key == self._audited:
            return
        try:
            register_search.audit_search(
                self.ctx,
                self.search_text,
                self._total,
                municipality=self.municipality,
                settlement=self.settlement,
                case_filter=self.case_filter,
            )
        except BusyDatabaseError:
            # Another program holds the register: try again after the next pause.
            self._audit_timer = self.set_timer(self.SEARCH_SETTLED, self._audit_search)
            return
        self._audited = key

    def _load_page(self, table: DataTable | None = None) -> None:
        """The next page into ``table`` (the screen's own, once it is mounted)."""
        left = self._total - self._loaded
        rows = register_search.find_households(
            self.ctx,
            self.search_text,
            municipality=self.municipality,
            settlement=self.settlement,
            case_filter=self.case_filter,
            script_name=self._script(),
            limit=left if left <= self.PAGE + self.TAIL else self.PAGE,
            offset=self._loaded,
        )
        if table is None:
            table = self.query_one(DataTable)
        for r in rows:
            cells = (
                r.family_name,
                place(r.settlement, r.address),
                r.municipality,
                who(r.given_names),
                format_number(r.open_cases) if r.open_cases else "",
                format_number(r.blocked_cases) if r.blocked_cases else "",
            )
            table.add_row(*map(Text, cells), key=r.id)
        self._loaded += len(rows)

    def _show_state(self) -> None:
        empty = self.query_one("#empty", Static)
        table = self.query_one(DataTable)
        nothing_at_all = (
            self._total == 0
            and not self.search_text
            and not self.municipality
            and not self.settlement
            and not self.case_filter
        )
        if nothing_at_all:
            empty.update(
                _(
                    "The register is empty.\n\n"
                    "Press N to register a household when a family agrees to be recorded, "
                    "or try docassist on made-up families first:\n\n"
                    "    docassist demo"
                )
            )
        elif register_search.unreadable_search(self.search_text):
            empty.update(_(register_search.UNREADABLE_SEARCH))
        elif self._total == 0:
            empty.update(_("Nobody matches. Try fewer letters, or another spelling."))
        # Nothing to search yet: the toolbar steps aside so N reaches the screen.
        for toolbar_part in self.query("#search, #register-filters"):
            toolbar_part.disabled = nothing_at_all
        empty.set_class(self._total > 0, "hidden")
        table.set_class(self._total == 0, "hidden")
        self._update_status()

    def _update_status(self) -> None:
        count = ngettext("{n} household", "{n} households", self._total).format(
            n=format_number(self._total)
        )
        if self._loaded < self._total:
            count = _("{count} (showing {shown})").format(
                count=count, shown=format_number(self._loaded)
            )
        self.query_one("#status", Static).update(count)

    # -- events ------------------------------------------------------------------

    # A redrawn body composes the search and filters back with their values and
    # they announce them as changes: reloading then would lose the user's place,
    # so only a real change reloads.

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value != self.search_text:
            self.search_text = event.value
            self.reload()

    @on(Select.Changed, "#municipality")
    def _municipality_changed(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value != self.municipality:
            self.municipality = value
            # A settlement chosen stays if the municipality has it: it still narrows.
            self._refresh_places()
            self.reload()

    @on(Select.Changed, "#settlement")
    def _settlement_changed(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value != self.settlement:
            self.settlement = value
            self.reload()

    @on(Select.Changed, "#case-filter")
    def _filter_changed(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value != self.case_filter:
            self.case_filter = value
            self.reload()

    @on(PagedTable.NearEnd)
    def _load_more(self) -> None:
        if self._loaded < self._total:
            self._load_page()
            self._update_status()

    @on(Input.Submitted, "#search")
    def _to_table(self) -> None:
        if self._total:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _open_household(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_household(event.row_key.value)

    def action_new_household(self) -> None:
        self.app.register_household()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#search", Input).focus()
