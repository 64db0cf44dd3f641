"""What every docassist dialog shares: a box in the middle of the screen, and its words.

The frame (centred, a thick border, the surface colour, never wider or taller than
the terminal) is written once here; a dialog's own ``DEFAULT_CSS`` says only how it
differs (its width, its padding, a warning border). Each dialog's outer container
carries the class ``dialog-box``. Subclass rules win over these at equal specificity
(Textual ranks a class's own ``DEFAULT_CSS`` above its bases'), so an override is
written with the same selector shape: ``MyDialog > .dialog-box``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.containers import Horizontal
from textual.widgets import Button

from docassist.ui.base import DocModal

# A dialog's words are given as functions where they are made from translated text,
# so a language switch while the dialog is open redraws them in the new language.
Words = str | Callable[[], str]


def words(value: Words) -> str:
    """The text now, in the current language when given as a function."""
    return value() if callable(value) else value


class Dialog(DocModal):
    """The base of every modal dialog: the frame style lives here, once."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > .dialog-box {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: thick $primary;
        background: $surface;
    }
    Dialog .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    Dialog .dialog-hint {
        color: $text-muted;
        height: auto;
    }
    Dialog .dialog-error {
        color: $error;
        height: auto;
    }
    Dialog .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    Dialog .dialog-buttons Button {
        margin-left: 2;
    }
    """


def button_row(
    back: Button,
    main: Button | None = None,
    *,
    others: Sequence[Button] = (),
    id: str | None = None,
    classes: str = "",
) -> Horizontal:
    """A dialog's buttons, in the one order of every dialog: the way back (what Escape
    does: Cancel, No, Back, Close) at the left, other choices in the middle, the main
    action at the right. The same place every time, so nobody presses the wrong one
    out of habit; which button has the focus is each dialog's own choice. The register's
    forms (``screens/form.py``) put theirs in the same order, with ``classes``
    "form-buttons" for their own look."""
    back.add_class("-back")
    buttons = [back, *others]
    if main is not None:
        main.add_class("-main")
        buttons.append(main)
    return Horizontal(*buttons, id=id, classes=f"dialog-buttons {classes}".strip())
