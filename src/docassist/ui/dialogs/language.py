"""The language picker: each language in its own name, so anyone can find theirs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from docassist import i18n
from docassist.domain.text import N_
from docassist.i18n import _
from docassist.ui.dialogs.base import Dialog


class LanguageDialog(Dialog):
    """Each language in its own name, so anyone can find theirs."""

    DEFAULT_CSS = """
    LanguageDialog > .dialog-box {
        width: 40; padding: 1 2;
    }
    LanguageDialog OptionList { height: auto; max-height: 8; }
    """
    BINDINGS = [Binding("escape", "dismiss", N_("Back"))]

    def compose(self) -> ComposeResult:
        current = i18n.current_language().code
        with Vertical(classes="dialog-box"):
            yield Label(_("Language"))
            options = OptionList(
                *[Option(lang.native_name, id=lang.code) for lang in i18n.LANGUAGES],
                id="languages",
            )
            yield options
        codes = [lang.code for lang in i18n.LANGUAGES]
        options.highlighted = codes.index(current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None  # every option carries its language code
        self.app.choose_language(event.option.id)
        self.dismiss()
