"""F12: the conflicts sync kept, for a coordinator to settle (issue 17).

Above, the conflicts not yet settled (identity ones first). Below, the highlighted
conflict's two versions side by side, field by field: the one that shows now (it won
by the merge rule) and the other. A coordinator keeps one of them whole (S, O), or
merges by hand: Space marks a field to take from the other version, M saves the
merge. Every way goes through ``services.sync.resolve_conflict``, as
``docassist sync resolve`` does, and is one audited use case; what is put back or
merged reaches every laptop at their next sync.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from docassist.domain.model import CASE_STATUS_LABELS, STEP_STATUS_LABELS
from docassist.domain.sync import CONFLICT_LABELS
from docassist.domain.text import N_, UserError
from docassist.i18n import _, format_date, format_datetime, pgettext
from docassist.services import sync
from docassist.services.context import NotFoundError, ValidationError
from docassist.services.edits import FIELD_LABELS
from docassist.services.sync import Choice, ConflictView, Side
from docassist.services.users import list_users
from docassist.ui.base import DocScreen
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.title_bar import TitleBar

_VALUE_WIDTH = 22  # each version's column; the line under the table shows a value whole


def _local(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso).astimezone())


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


# What a field is called here: the forms' own labels, and those of a case and its steps
# (the stored column name only for a field none of them names).
_LABELS: dict[str, str] = {
    **FIELD_LABELS,
    "status": N_("Status"),
    "next_due": N_("Due"),
    "due_date": N_("Due date"),
    "done_date": N_("Done"),
    "blocked_reason": N_("Blocked"),
    "note": N_("Note"),
    "outcome": N_("Outcome"),
    "outcome_date": N_("Date"),
    "outcome_reason": N_("Reason"),
}
_STATUSES: dict[str, dict[str, str]] = {
    "cases": {s.value: label for s, label in CASE_STATUS_LABELS.items()},
    "case_steps": {s.value: label for s, label in STEP_STATUS_LABELS.items()},
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _label(name: str) -> str:
    return _(_LABELS[name]) if name in _LABELS else name


def _shown(view: ConflictView, name: str, value: Any) -> str:
    """A version's value as the other screens write it: a status in words, a day in the
    reader's date format."""
    status = _STATUSES.get(view.table, {}).get(str(value)) if name == "status" else None
    if status:
        return _(status)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return format_date(date.fromisoformat(value))
    return _value(value)


def _cut(text: str, width: int) -> Text:
    # Text, not str: a DataTable reads strings as markup, and names may hold "[".
    return Text(text if len(text) <= width else text[: width - 1] + "…", no_wrap=True)


class ConflictsScreen(DocScreen):
    """The conflicts not yet settled, and the highlighted one's two versions."""

    # The keys are named in the line under the table (and in F1): in the footer they
    # pushed Help and Quit off 80 columns.
    BINDINGS = [
        Binding("s", "keep('winner')", N_("Keep shown"), show=False),
        Binding("o", "keep('loser')", N_("Keep other"), show=False),
        Binding("space", "take_field", N_("Take this field"), show=False),
        Binding("m", "save_merge", N_("Save merge"), show=False),
        Binding("escape", "app.pop_screen", N_("Back")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[ConflictView] = []
        self.current: ConflictView | None = None
        self.taken: dict[str, set[str]] = {}  # conflict id -> fields from the other

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="conflicts"):
            yield Static(id="conflicts-title", classes="start-title")
            yield FastTable(id="conflict-list", cursor_type="row", zebra_stripes=True)
            yield Static(id="conflict-sides", markup=False)
            yield FastTable(id="conflict-fields", cursor_type="row", zebra_stripes=True)
            yield Static(id="conflict-field", markup=False)
            yield Static(id="conflict-hint", classes="hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#conflict-list", DataTable).focus()

    async def retranslate(self) -> None:
        self.reload()

    def records_arrived(self) -> None:
        self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        self.views = sync.list_conflicts(self.ctx)
        self._names = {u.id: u.name for u in list_users(self.ctx)}
        title = self.query_one("#conflicts-title", Static)
        title.update(
            _("Conflicts to settle: {n}").format(n=len(self.views))
            if self.views
            else _("No conflicts to settle.")
        )
        table = self.query_one("#conflict-list", DataTable)
        table.clear(columns=True)
        table.add_column(pgettext("column", "What"), key="what", width=24)
        table.add_column(pgettext("column", "About"), key="about", width=22)
        table.add_column(pgettext("column", "Fields"), key="fields", width=24)
        for view in self.views:
            table.add_row(
                _cut(_(CONFLICT_LABELS[view.kind]), 24),
                _cut(view.subject(), 22),
                _cut(", ".join(_label(f) for f in view.differences()) or "—", 24),
                key=view.id,
            )
        ids = [v.id for v in self.views]
        if keep in ids:
            table.move_cursor(row=ids.index(keep), animate=False)
        for widget in ("#conflict-list", "#conflict-sides", "#conflict-fields", "#conflict-field"):
            self.query_one(widget).display = bool(self.views)
        self._show(self.views[table.cursor_row] if self.views else None)

    def _side(self, label: str, side: Side) -> str:
        who = self._names.get(side.user_id or "", side.user_id or "?")
        state = _(" (deleted)") if side.deleted else ""
        return _("{label}{state}: {when}, {who}, laptop {device}").format(
            label=label, state=state, when=_local(side.at), who=who, device=side.device[:8]
        )

    def _show(self, view: ConflictView | None) -> None:
        self.current = view
        hint = self.query_one("#conflict-hint", Static)
        if view is None:
            hint.update(_("Conflicts come from syncing; nothing waits for you here."))
            self.refresh_bindings()
            return
        self.query_one("#conflict-sides", Static).update(
            self._side(_("Shown"), view.winner) + "\n" + self._side(_("Other"), view.loser)
        )
        fields = self.query_one("#conflict-fields", DataTable)
        row = fields.cursor_row
        fields.clear(columns=True)
        fields.add_column(pgettext("column", "Field"), key="field", width=16)
        fields.add_column(pgettext("column", "Shown"), key="shown", width=_VALUE_WIDTH)
        fields.add_column(pgettext("column", "Other"), key="other", width=_VALUE_WIDTH)
        fields.add_column(pgettext("column", "Keep"), key="keep", width=7)
        taken = self.taken.get(view.id, set())
        mergeable = sync.mergeable_fields(view)
        for name in view.differences():
            take = name in taken
            keep = _("other") if take else _("shown") if name in mergeable else ""
            fields.add_row(
                Text(_label(name)),
                _cut(_shown(view, name, view.winner.data.get(name)), _VALUE_WIDTH),
                _cut(_shown(view, name, view.loser.data.get(name)), _VALUE_WIDTH),
                Text(keep, style="bold" if take else ""),
                key=name,
            )
        if fields.row_count:
            fields.move_cursor(row=min(row, fields.row_count - 1), animate=False)
        self._show_field()
        hint.update(
            _(
                "S keeps the shown version, O the other. Space takes the highlighted "
                "field from the other version; M saves the merge."
            )
            if mergeable
            else _("A deletion against an edit: keep one of the two (S or O).")
        )
        self.refresh_bindings()

    def _show_field(self) -> None:
        """The highlighted field's two values whole, under the table."""
        view = self.current
        fields = self.query_one("#conflict-fields", DataTable)
        line = self.query_one("#conflict-field", Static)
        if view is None or not fields.row_count:
            line.update("")
            return
        name = view.differences()[fields.cursor_row]
        line.update(
            _("{field}: shown “{shown}”, other “{other}”").format(
                field=_label(name),
                shown=_shown(view, name, view.winner.data.get(name)),
                other=_shown(view, name, view.loser.data.get(name)),
            )
        )

    @on(DataTable.RowHighlighted, "#conflict-list")
    def _conflict_highlighted(self, event: DataTable.RowHighlighted) -> None:
        chosen = next((v for v in self.views if v.id == event.row_key.value), None)
        if chosen is not self.current:
            self._show(chosen)

    @on(DataTable.RowHighlighted, "#conflict-fields")
    def _field_highlighted(self) -> None:
        self._show_field()

    @on(DataTable.RowSelected, "#conflict-list")
    def _conflict_selected(self) -> None:
        self.query_one("#conflict-fields", DataTable).focus()

    # -- settling ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("keep", "take_field", "save_merge") and self.current is None:
            return False
        if action in ("take_field", "save_merge") and self.current is not None:
            return bool(sync.mergeable_fields(self.current))
        return True

    def action_take_field(self) -> None:
        view = self.current
        if view is None:
            return
        fields = self.query_one("#conflict-fields", DataTable)
        if not fields.row_count:
            return
        name = view.differences()[fields.cursor_row]
        if name not in sync.mergeable_fields(view):
            self.notify(_("This field comes with another one."), severity="warning")
            return
        taken = self.taken.setdefault(view.id, set())
        taken.symmetric_difference_update({name})
        self._show(view)

    def action_keep(self, choice: str) -> None:
        self._resolve("winner" if choice == "winner" else "loser")

    def action_save_merge(self) -> None:
        view = self.current
        if view is None:
            return
        if not self.taken.get(view.id):
            self.notify(
                _("Mark the fields to take from the other version first (Space)."),
                severity="warning",
            )
            return
        self._resolve("merged")

    def _resolve(self, choice: Choice) -> None:
        view = self.current
        if view is None:
            return
        take = sorted(self.taken.get(view.id, set())) if choice == "merged" else None
        try:
            sync.resolve_conflict(self.ctx, view.id, choice, take)
        except (ValidationError, NotFoundError, UserError) as err:
            message = (
                "\n".join(p.render(_) for ps in err.problems.values() for p in ps)
                if isinstance(err, ValidationError)
                else err.render(_)
                if isinstance(err, UserError)
                else _("This conflict no longer exists.")
            )
            self.notify(message, severity="error")
            self.reload()
            return
        self.taken.pop(view.id, None)
        index = next((i for i, v in enumerate(self.views) if v.id == view.id), 0)
        following = self.views[index + 1].id if index + 1 < len(self.views) else None
        self.reload(keep=following)
        self.notify(
            {
                "winner": _("Settled: the shown version stays."),
                "loser": _("Settled: the other version is back."),
                "merged": _("Settled: merged by hand."),
            }[choice]
        )
