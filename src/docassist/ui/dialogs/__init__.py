"""Every modal dialog of the app, on one base (``base.Dialog``) that draws the frame.

Screens import dialogs from here; each module is one family of questions:
``confirm`` (yes/no), ``save`` (where to save a file), ``duplicates`` (is this
already registered?), ``case`` (a day, a reason, an outcome), ``checklist_picker``,
``quick_add`` (a family at a workshop), ``assignee`` (who follows a case), ``export``
(a passphrase for an export with names), ``full_text`` (a long text read whole),
``language`` and ``help``.
"""

from __future__ import annotations

from docassist.ui.dialogs.assignee import AssigneeDialog
from docassist.ui.dialogs.base import Dialog, Words, words
from docassist.ui.dialogs.case import CloseCaseDialog, DateDialog, FieldDialog, ReasonDialog
from docassist.ui.dialogs.checklist_picker import ChecklistPickerDialog
from docassist.ui.dialogs.confirm import ConfirmDialog, confirm_leave
from docassist.ui.dialogs.duplicates import (
    AttendeeDuplicateDialog,
    DuplicateDialog,
    HouseholdDuplicateDialog,
    PersonDuplicateDialog,
)
from docassist.ui.dialogs.export import (
    ExportPassphraseDialog,
    ExportProtection,
    ask_to_export_names,
)
from docassist.ui.dialogs.full_text import FullTextDialog, Passage, is_cut, shortened
from docassist.ui.dialogs.help import HelpDialog
from docassist.ui.dialogs.language import LanguageDialog
from docassist.ui.dialogs.quick_add import QuickAddDialog
from docassist.ui.dialogs.save import SaveDialog, save_handout

__all__ = [
    "AssigneeDialog",
    "ask_to_export_names",
    "AttendeeDuplicateDialog",
    "ChecklistPickerDialog",
    "CloseCaseDialog",
    "ConfirmDialog",
    "DateDialog",
    "Dialog",
    "DuplicateDialog",
    "FieldDialog",
    "ExportPassphraseDialog",
    "ExportProtection",
    "FullTextDialog",
    "HelpDialog",
    "HouseholdDuplicateDialog",
    "LanguageDialog",
    "Passage",
    "PersonDuplicateDialog",
    "QuickAddDialog",
    "ReasonDialog",
    "SaveDialog",
    "Words",
    "confirm_leave",
    "is_cut",
    "save_handout",
    "shortened",
    "words",
]
