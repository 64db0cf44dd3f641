"""What every docassist screen shares: translated key labels, live language switching."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import events
from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen

from docassist.domain.text import N_
from docassist.i18n import _, format_datetime, format_time
from docassist.ui.commands import COMMANDS
from docassist.ui.widgets.screen_body import redraw_body

if TYPE_CHECKING:
    # Only for the type checker: app.py imports the screens, not the other way round.
    from textual import getters

    from docassist.services.context import Context
    from docassist.services.drafts import Draft
    from docassist.ui.app import DocAssistApp

    # The mixin is only ever mixed into a screen: the checker reads it as one, so
    # super() and self reach the screen's members. At run time it stays a plain mixin.
    _ScreenMixin = Screen[Any]
else:
    _ScreenMixin = object

# Textual's own key labels that reach our footer and F1 help (the screen's copy
# key, an open drop-down's Escape). Listed here so extraction puts them in the
# catalogues; active_bindings below translates them like ours.
TEXTUAL_KEY_LABELS = (N_("Copy selected text"), N_("Dismiss menu"))


class Translated(_ScreenMixin):
    """Mixin for screens: footer labels in the current language, redrawn on a switch.

    ``BINDINGS`` descriptions are English msgids marked with ``N_``; they are
    translated each time the footer asks, so a switch needs no restart.
    """

    _listening = False
    # Whether the styles are as fresh as a resume would make them: so when the
    # screen is new (each widget was styled as it was mounted) and after a resume;
    # a suspend clears it (see _on_screen_resume).
    _resumed = True

    if TYPE_CHECKING:
        # The running app, typed as ours: Textual types it ``App[Any]``, and every
        # docassist screen runs inside ``DocAssistApp`` (the posting pattern). Only
        # for the checker, as Textual declares its own ``app``: at run time the
        # screen's ``app`` is Textual's, unchanged.
        app = getters.app(DocAssistApp)

    @property
    def ctx(self) -> Context:
        """The register this screen works on: who is working, the database, the clock."""
        return self.app.ctx

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        # The screen's own keys first, the app's (Help, Language, Quit) last and in
        # the order of the command table: the footer reads left to right in that
        # order, and whatever does not fit is cut at the right.
        order = {command.key: index for index, command in enumerate(COMMANDS)}
        bindings = dict(
            sorted(
                bindings.items(),
                key=lambda item: (item[1].node is self.app, order.get(item[0], -1)),
            )
        )
        return {
            key: active._replace(
                binding=replace(
                    active.binding,
                    description=_(active.binding.description) if active.binding.description else "",
                    tooltip=_(active.binding.tooltip) if active.binding.tooltip else "",
                ),
                tooltip=_(active.tooltip) if active.tooltip else "",
            )
            for key, active in bindings.items()
        }

    def unsaved_work(self) -> str | None:
        """What typing on this screen would be lost if it closed now, as the screen
        names itself ("New household"), or None. Said before a sign-out or another
        person's sign-in closes every screen; never a family's name (it is shown over
        the lock)."""
        return None

    # -- drafts: typing kept when the terminal closed (services/drafts.py) -------

    def draft_key(self) -> str | None:
        """Which form this is and what it edits, for a draft of its typing
        ("household:new", "person:<id>"); None: the screen keeps no drafts (nothing
        typed there, or a passphrase, which is never written anywhere)."""
        return None

    def draft_fields(self) -> dict[str, Any]:
        """What is typed, as JSON-ready values the screen can read back."""
        return {}

    def draft_about(self) -> tuple[str | None, str | None]:
        """The household and the person the typing is about (an erasure removes it)."""
        return None, None

    async def restore_draft_fields(self, fields: dict[str, Any]) -> None:
        """Put a draft's fields back (a field the screen no longer has is skipped)."""

    def draft_base(self) -> dict[str, Any] | None:
        """The fields as the screen loaded the record it edits, encoded as
        ``draft_fields``; None: it edits no saved record (a new one, a dialog)."""
        return None

    def save_against(self, base: dict[str, Any]) -> None:
        """Save over the record as it was when the draft was typed (``base``), so a
        field changed since by someone else as well is asked about (services/edits)."""

    def draft(self) -> Draft | None:
        """What to keep if the terminal closes now: the unsaved typing, or None."""
        what = self.unsaved_work()
        key = self.draft_key()
        if not what or key is None:
            return None
        household_id, person_id = self.draft_about()
        from docassist.services.drafts import Draft

        return Draft(
            key, what, self.draft_fields(), household_id, person_id, base=self.draft_base()
        )

    def offer_draft(self) -> None:
        """When the terminal closed last time while this form held typing, offer it back.

        Restored or declined, the draft is then removed: it is offered once.
        """
        key = self.draft_key()
        if key is None:
            return
        from docassist.services import drafts

        kept = drafts.find_draft(self.ctx, key)
        if kept is None:
            return
        from docassist.ui.dialogs import ConfirmDialog

        moment = kept.saved_at.astimezone()  # stored in UTC; said in the laptop's time

        def when() -> str:
            if moment.date() == self.ctx.today():
                return format_time(moment)
            return format_datetime(moment)

        now = self.draft_base()
        changed = drafts.record_changed(kept, now)
        # Only what was typed comes back, over the record as it is now.
        fields = kept.fields
        if kept.base is not None and now is not None:
            fields = drafts.over_newer(kept.fields, kept.base, now)

        async def answered(restore: bool | None) -> None:
            drafts.drop_draft(self.ctx, key, restored=bool(restore))
            if restore:
                if changed and kept.base is not None:
                    self.save_against(kept.base)
                await self.restore_draft_fields(fields)
                self.notify(_("The unsaved input is back. Save it to keep it."))

        def message() -> str:
            if changed:
                return _(
                    "The terminal was closed before this typing was saved, and the record "
                    "has been saved since (by someone else, or a sync). Restoring brings "
                    "back only what you typed, over the newer values; where a field was "
                    "changed both ways, saving asks which to keep."
                )
            return _(
                "The terminal was closed before this typing was saved. Restore it "
                "to go on, or discard it for good."
            )

        self.app.push_screen(
            ConfirmDialog(
                message,
                title=lambda: _("Restore the unsaved input from {time}?").format(time=when()),
                confirm_label=N_("Restore my typing") if changed else N_("Restore"),
                cancel_label=N_("Keep the saved version") if changed else N_("Discard it"),
            ),
            answered,
        )

    def on_mount(self) -> None:
        # Textual calls on_mount of every class in the MRO, and a screen that also
        # calls super().on_mount() reaches here twice: a second subscription would
        # redraw the screen twice per switch, the second time racing the first.
        if self._listening:
            return
        self._listening = True
        self.app.language_changed.subscribe(self, self._retranslate_for_language)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen at each resume, in case the CSS
        # changed while it was covered; and it resumes a new area's screen twice as
        # the area first opens. A screen just mounted has nothing stale (each widget
        # was styled as it was mounted), nor does one resumed again with no suspend
        # between: 20-40 ms of the first screen's CPU each. Only a resume after a
        # suspend (the screen was covered, or its area left) restyles.
        # Textual's own handler runs after this one, on the same event.
        if self._resumed:
            event.refresh_styles = False
        self._resumed = True

    def _on_screen_suspend(self) -> None:
        self._resumed = False

    def records_arrived(self) -> None:
        """Records came from elsewhere while this screen showed (a sync received some):
        a screen that shows records reads them again. A screen covered meanwhile does so
        as it resumes; a form keeps what is typed (its save asks about changed fields)."""

    async def _retranslate_for_language(self, _code: str) -> None:
        await self.retranslate()
        self.refresh_bindings()

    async def retranslate(self) -> None:
        """Redraw in the new language; screens holding typed input keep it in attributes.

        Only the body is composed again: the Header must stay mounted (see
        ``widgets/screen_body.py``), and the Footer follows ``refresh_bindings``.
        """
        await redraw_body(self)


class DocScreen(Translated, Screen):
    pass


class DocModal(Translated, ModalScreen):
    pass
