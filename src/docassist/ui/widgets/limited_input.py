"""An input that says why a paste was refused.

Textual's ``Input`` with a ``max_length`` drops a paste that would not fit, whole, with
only a bell: a facilitator pasting a page into the JMBG field or a workshop's quick form
saw nothing happen and did not know why (issue 16 §3). This one says it.
"""

from __future__ import annotations

from textual.widgets import Input

from docassist.i18n import _, format_number


class LimitedInput(Input):
    """An ``Input`` whose refused typing or paste (too long) is said, not only rung."""

    def restricted(self) -> None:
        super().restricted()
        if self.max_length:
            self.notify(
                _("At most {max} characters fit here: that was not taken.").format(
                    max=format_number(self.max_length)
                ),
                severity="warning",
            )
