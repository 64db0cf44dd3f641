"""The municipality and settlement filters' options, shared by the register and the dashboard.

A place is one option however its households spell it ("Crvena zvezda",
"Црвена звезда"): named and sorted in the script of the language, with its key
(``places.place_key``) as the value, which the services match in every spelling.
The key is the same in every script, so a choice survives a language switch.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Select

from docassist.i18n import current_language
from docassist.services import places
from docassist.services.context import Context
from docassist.ui.widgets.drop_down import DropDown

Options = list[tuple[str, str]]


def municipality_options(ctx: Context) -> Options:
    return [(p.name, p.key) for p in places.municipalities(ctx, current_language().script)]


def settlement_options(ctx: Context, municipality: str | None) -> Options:
    """The settlements of ``municipality`` (a key), or of all municipalities."""
    found = places.settlements(ctx, municipality, current_language().script)
    return [(p.name, p.key) for p in found]


def set_options_quietly(select: Select, options: Options, value: str | None) -> None:
    """New options, keeping ``value`` chosen if it is among them, without the
    Changed messages that a screen would take for the user choosing."""
    with select.prevent(Select.Changed):
        select.set_options(options)
        if value is not None and any(key == value for _name, key in options):
            select.value = value


def set_options_later_quietly(drop: DropDown[str], options: Callable[[], Options]) -> None:
    """Options built when the drop-down is opened, nothing chosen, without the
    Changed message that a screen would take for the user clearing the choice."""
    with drop.prevent(Select.Changed):
        drop.set_options_later(options)
