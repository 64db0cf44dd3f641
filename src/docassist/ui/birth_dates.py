"""Birth dates as the forms and dialogs show them: shared by the person form, the
household screen and the duplicate dialogs, so a date reads the same in all three."""

from __future__ import annotations

from docassist.domain.dates import PartialDate
from docassist.i18n import _, format_partial_date


def typed_birth_date(birth: PartialDate | None) -> str:
    """A stored birth date as the form shows it again (and reads back the same)."""
    if birth is None:
        return ""
    return ("~" if birth.approximate else "") + format_partial_date(birth)


def shown_birth_date(birth: PartialDate | None) -> str:
    """A birth date for reading in the language: "12. 5. 1987.", "05.1987.", "about 1990."."""
    if birth is None:
        return ""
    shown = format_partial_date(birth)
    return _("about {date}").format(date=shown) if birth.approximate else shown
