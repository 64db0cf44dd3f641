"""F7: version, where the files are, and any checklist file that could not be used."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from docassist import __version__, locations
from docassist.catalogue_stats import language_stats
from docassist.domain.text import N_
from docassist.i18n import _, format_percent
from docassist.ui.base import DocScreen
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.title_bar import TitleBar


class AboutScreen(DocScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Back"))]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(classes="about"):
            yield Static(f"docassist {__version__}", classes="help-title")
            paths: DataTable = FastTable(show_cursor=False, id="paths")
            paths.add_columns(_("What"), _("Where"))
            paths.add_row(_("This database"), str(self.app.db_path))
            paths.add_row(_("Your own checklists"), str(locations.user_checklists_dir()))
            paths.add_row(_("Logs"), str(locations.log_dir()))
            yield paths
            checklists = self.app.checklists
            yield Label(_("{n} checklists loaded.").format(n=len(checklists)), classes="help-title")
            problems = [str(p) for p in checklists.problems]
            if problems:
                yield Static(
                    _("These checklist files have problems and were skipped or corrected:"),
                    classes="field-warning",
                )
                yield Static("\n".join(problems), classes="field-warning", markup=False)
            languages: DataTable = FastTable(show_cursor=False, id="languages")
            languages.add_columns(_("Language"), _("Translated"), _("Reviewed"))
            for language, translated, reviewed in language_stats():
                languages.add_row(
                    language.native_name, format_percent(translated), format_percent(reviewed)
                )
            yield languages
            yield Static(
                _(
                    "Romani texts are drafts until a native speaker reviews them. "
                    "Fees and deadlines change: check them with the office."
                ),
                classes="hint",
            )
        yield KeysFooter()
