"""Who is working, and in which language: asked once when docassist starts."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from docassist import i18n
from docassist.domain.model import ROLE_LABELS, Role
from docassist.i18n import _
from docassist.services import users
from docassist.services.context import ValidationError
from docassist.ui.base import DocScreen


class StartScreen(DocScreen):
    """Pick yourself (or add yourself), then the app opens where your role works."""

    def __init__(self) -> None:
        super().__init__()
        self.new_name = ""
        self.new_role: Role = Role.FACILITATOR

    def compose(self) -> ComposeResult:
        people = users.list_users(self.ctx)
        with VerticalScroll(id="start"):
            yield Static(_("Welcome to docassist"), classes="start-title")
            yield Label(_("Language"))
            with Horizontal(classes="language-buttons"):
                for lang in i18n.LANGUAGES:
                    yield Button(
                        lang.native_name,
                        id=f"lang-{lang.code}",
                        variant="primary" if lang == i18n.current_language() else "default",
                    )
            if people:
                yield Label(_("Who is working?"))
                yield OptionList(
                    *[Option(f"{u.name}  ·  {_(ROLE_LABELS[u.role])}", id=u.id) for u in people],
                    id="users",
                )
            yield Label(_("New person using this laptop"))
            with Horizontal(classes="new-user"):
                yield Input(value=self.new_name, placeholder=_("Your name"), id="new-name")
                yield Select(
                    [
                        (_(ROLE_LABELS[r]), r.value)
                        for r in (Role.FACILITATOR, Role.COORDINATOR, Role.TRAINEE)
                    ],
                    value=self.new_role.value,
                    allow_blank=False,
                    id="new-role",
                )
                yield Button(_("Start"), id="add-user", variant="success")
            yield Static(id="start-error", classes="field-error")
            yield Static(
                _("Trainees practise on made-up families and never see the real register."),
                classes="hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        if self.query("#users"):
            self.query_one("#users", OptionList).focus()
        else:
            self.query_one("#new-name", Input).focus()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id.startswith("lang-"):
            self.app.choose_language(button_id.removeprefix("lang-"))
        elif button_id == "add-user":
            self._add_user()

    @on(Input.Changed, "#new-name")
    def _name_typed(self, event: Input.Changed) -> None:  # not _name: DOMNode's name
        self.new_name = event.value

    @on(Select.Changed, "#new-role")
    def _role(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.new_role = Role(str(event.value))

    @on(Input.Submitted, "#new-name")
    def _add_user(self) -> None:
        try:
            user = users.create_user(
                self.ctx, self.new_name, self.new_role, i18n.current_language().code
            )
        except ValidationError as err:
            self.query_one("#start-error", Static).update(
                " ".join(p.render(_) for ps in err.problems.values() for p in ps)
            )
            return
        self.app.sign_in(user)

    @on(OptionList.OptionSelected, "#users")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None  # every option carries its user's id
        self.app.sign_in(users.get_user(self.ctx, event.option.id))
