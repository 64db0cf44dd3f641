"""The app's own commands: one table feeds the footer keys, F1 help and the palette."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from docassist.domain.model import REGISTER_ROLES, Role
from docassist.domain.text import N_
from docassist.i18n import _


@dataclass(frozen=True)
class Command:
    key: str
    action: str  # an App action
    label: str  # msgid: short, for the footer
    help: str  # msgid: one sentence for F1 and the palette
    roles: frozenset[Role] | None = None  # None: everyone, trainees included
    # In the footer? Off unless a command is needed on every screen: at 80 columns
    # the footer holds a screen's own keys plus Help, Language and Quit, and no
    # more in Serbian or Romani. Every command stays in F1 help and the palette.
    show: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(
        "f1", "help", N_("Help"), N_("Show the keys of this screen and what they do."), show=True
    ),
    Command(
        "f2",
        "pick_language",
        N_("Language"),
        N_("Choose the language of the screens."),
        show=True,
    ),
    Command(
        "f3",
        "mode('workshop')",
        N_("Workshop"),
        N_("Walk a group through a checklist and mark who came."),
        REGISTER_ROLES,
    ),
    Command(
        "f4",
        "mode('cases')",
        N_("Register"),
        N_("Find a household, its people, their cases and next steps."),
        REGISTER_ROLES,
    ),
    Command(
        "f5",
        "mode('dashboard')",
        N_("Dashboard"),
        N_("What is blocked, overdue or due this week."),
        REGISTER_ROLES,
    ),
    Command(
        "f6",
        "mode('practice')",
        N_("Practice"),
        N_("Practise on made-up families. Nothing real is touched."),
    ),
    Command("f7", "about", N_("About"), N_("Version, where the files are, checklist problems.")),
    Command(
        "f8",
        "toggle_contrast",
        N_("Contrast"),
        N_("Switch the high-contrast colours on or off (for projectors)."),
    ),
    Command(
        "f9",
        "mode('reports')",
        N_("Reports"),
        N_("Figures for a period, without names; save them as CSV or XLSX."),
        REGISTER_ROLES,
    ),
    Command(
        "ctrl+o",
        "import_households",
        N_("Import households"),
        N_("Bring in families from a spreadsheet (CSV or Excel), checked before saving."),
        REGISTER_ROLES,
    ),
    Command(
        "ctrl+y",
        "sync",
        N_("Sync"),
        N_("Send this laptop's changes to the organisation's hub and get everyone else's."),
        REGISTER_ROLES,
    ),
    Command(
        # F12: every Ctrl letter left is taken by the text fields (Ctrl+K deletes to
        # the end of the line) or by the terminal (Ctrl+B is tmux's)
        "f12",
        "conflicts",
        N_("Conflicts"),
        N_(
            "What two laptops changed at once: compare both versions, keep one or merge "
            "them by hand."
        ),
        frozenset({Role.COORDINATOR, Role.ADMIN}),
    ),
    Command(
        "ctrl+t",
        "users",
        N_("Users"),
        N_(
            "The accounts: coordinators create, reset and remove them, facilitators "
            "create trainees; everyone changes their own passphrase."
        ),
    ),
    Command(
        "ctrl+l",
        "lock",
        N_("Lock"),
        N_("Cover the screen now; your passphrase opens it again, with your work as it was."),
    ),
    Command(
        "ctrl+g",
        "sign_out",
        N_("Sign out"),
        N_("End your session without closing docassist: the next person signs in."),
    ),
    Command(
        "ctrl+q",
        "quit",
        N_("Quit"),
        N_(
            "Close docassist. What is saved stays saved; if something typed is not "
            "saved yet, you are asked first."
        ),
        show=True,
    ),
)


# Textual ignores the app's bindings while a modal is open, unless they have
# priority: Help, Language and Quit must work over a dialog too (a question
# asked in a language the person cannot read is a dead end). Area switching
# stays off there: it would leave the dialog unanswered underneath.
# Ctrl+L too: the screen can be covered at once, whatever is open on it.
EVERYWHERE = frozenset({"f1", "f2", "ctrl+l", "ctrl+q"})

# What works before anyone has signed in and while the screen is locked: what shows
# nothing of the register. Every other command of the table, and the palette, waits
# for a session (the sign-in and lock screens have their own keys).
PUBLIC_ACTIONS = frozenset({"help", "pick_language", "toggle_contrast", "quit"})
SESSION_ACTIONS = frozenset(
    {c.action.split("(")[0] for c in COMMANDS if c.action not in PUBLIC_ACTIONS}
    | {"command_palette", "home"}
)


def bindings() -> list[Binding]:
    return [
        Binding(c.key, c.action, c.label, show=c.show, priority=c.key in EVERYWHERE)
        for c in COMMANDS
    ]


def allowed(command: Command, role: Role | None) -> bool:
    return command.roles is None or (role is not None and role in command.roles)


def for_role(role: Role | None) -> Iterable[Command]:
    return (c for c in COMMANDS if allowed(c, role))


def offered(app: object) -> list[Command]:
    """The commands the app offers now (F1 help, the palette): those of the signed-in
    user's role; before a sign-in and while locked, only the public ones."""
    if getattr(app, "session", None) is None or getattr(app, "locked", False):
        return [c for c in COMMANDS if c.action in PUBLIC_ACTIONS]
    return list(for_role(getattr(app, "role", None)))


class AppCommands(Provider):
    """The command palette offers the same commands, translated, for the user's role."""

    def _commands(self) -> list[Command]:
        return offered(self.app)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                _(command.label),
                partial(self.app.run_action, command.action),
                help=_(command.help),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            label = _(command.label)
            score = matcher.match(f"{label} {_(command.help)}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self.app.run_action, command.action),
                    help=_(command.help),
                )


class DocCommandPalette(CommandPalette):
    """Textual's palette, with its own two texts in the user's language.

    Textual writes "Search for commands…" and "No matches found" in English; the
    first is a parameter, the second is set in a private timer, replaced here.
    (Textual is pinned; tests/ui/test_languages.py fails if this stops working.)
    """

    def __init__(self) -> None:
        super().__init__(placeholder=_("Find a command…"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No command matches."), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
