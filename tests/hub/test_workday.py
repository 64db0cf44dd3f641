"""Issue 17's "done means", as a new user would go through it: a coordinator sets up the
hub, two facilitators join on their laptops, each registers families and updates cases
offline, everyone syncs, the coordinator sees every case on the dashboard and settles the
day's one conflict; a laptop with no network gets a bundle and ends with the same
families."""

from __future__ import annotations

from docassist.cli import main
from docassist.domain.model import Role, StepStatus
from docassist.services import cases, scopes, sync
from docassist.services import dashboard as dash
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import Context
from docassist.services.users import create_user
from docassist.store.db import open_database
from tests.hub.support import TODAY

STEPS = [StepPlan("gather-papers", 7), StepPlan("apply", 15)]


class Register:
    """A laptop's register, opened for a moment as the app would between commands."""

    def __init__(self, path, user_id=None):
        self.path, self.user_id = path, user_id

    def __enter__(self) -> Context:
        from docassist.services import accounts
        from docassist.store import keys

        if keys.has_keyring(self.path):  # a joined laptop's: encrypted, as `init` makes it
            ctx, session = accounts.open_signed_in(
                self.path, WHO[self.path.stem], PASSPHRASE, today=lambda: TODAY
            )
            self.db = ctx.db
            ctx.user_id = self.user_id or session.user_id
            return ctx
        self.db = open_database(self.path)
        return Context(self.db, user_id=self.user_id, today=lambda: TODAY)

    def __exit__(self, *exc):
        self.db.close()


# who signs in on each laptop (by the register's file name); one passphrase for all, set
# at each user's first sign-in and carried to the other laptops with their user row
WHO = {"office": "Milica", "ana": "Ana", "fikret": "Fikret", "offline": "Milica"}
PASSPHRASE = "a day of workshops"


def cli(capsys, *argv) -> str:
    import os
    from pathlib import Path

    os.environ["DOCASSIST_PASSPHRASE"] = PASSPHRASE  # reset by the root conftest
    if "--db" in argv:
        os.environ["DOCASSIST_USER"] = WHO[Path(argv[argv.index("--db") + 1]).stem]
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


def test_a_day_with_three_laptops_a_hub_and_a_usb_stick(capsys, tmp_path, hub_dsn):
    office, ana_laptop, fikret_laptop, offline = (
        tmp_path / f"{n}.db" for n in ("office", "ana", "fikret", "offline")
    )
    # the coordinator's register, the facilitators' accounts and where they work
    with Register(office) as ctx:
        milica = ctx.user_id = create_user(ctx, "Milica", Role.COORDINATOR).id
        ana = create_user(ctx, "Ana", Role.FACILITATOR).id
        fikret = create_user(ctx, "Fikret", Role.FACILITATOR).id
        scopes.set_scopes(ctx, ana, ["Novi Sad"])
        scopes.set_scopes(ctx, fikret, ["Niš"])
        shared = hh.register_household(ctx, hh.HouseholdInput("Ramić", municipality="Niš"))
    cli(capsys, "hub", "init", hub_dsn)
    cli(capsys, "--db", str(office), "hub", "connect", hub_dsn, "--user", "Milica")
    cli(capsys, "--db", str(ana_laptop), "hub", "join", hub_dsn, "--user", "Ana")
    cli(capsys, "--db", str(fikret_laptop), "hub", "join", hub_dsn, "--user", "Fikret")
    # the laptop that will have no network joined once, at the office
    cli(capsys, "--db", str(offline), "hub", "join", hub_dsn, "--user", "Milica")

    # offline work
    with Register(ana_laptop, ana) as ctx:
        h = hh.register_household(
            ctx,
            hh.HouseholdInput("Petrović", municipality="Novi Sad"),
            [hh.PersonInput("Sara", "Petrović")],
        )
        sara = hh.get_household(ctx, h).members[0].id
        case = cases.open_case(ctx, sara, "birth-registration", 1, STEPS)
        cases.set_step_status(ctx, case, "gather-papers", StepStatus.DONE)
    with Register(fikret_laptop, fikret) as ctx:
        assert [x.id for x in hh.find_households(ctx, "")] == [shared]  # Niš only
        person = hh.add_person(ctx, shared, hh.PersonInput("Sabit", "Ramić"))
        cases.open_case(ctx, person, "id-card", 1, STEPS)
        hh.update_household(
            ctx,
            shared,
            hh.HouseholdInput("Ramić", municipality="Niš", notes="moved to the next street"),
        )
    with Register(office, milica) as ctx:
        hh.update_household(
            ctx, shared, hh.HouseholdInput("Ramić", municipality="Niš", notes="phone changed")
        )

    for laptop in (ana_laptop, fikret_laptop, office):
        assert cli(capsys, "--db", str(laptop), "sync").startswith("Synced:")

    with Register(office, milica) as ctx:
        counts = dash.counts(ctx, dash.Scope())
        assert counts.open == 2  # Ana's case and Fikret's
        assert dash.counts(ctx, dash.Scope(facilitator_id=ana)).open == 1
        (conflict,) = sync.list_conflicts(ctx)
    out = cli(capsys, "--db", str(office), "sync", "conflicts")
    assert "Ramić" in out and "notes" in out
    cli(
        capsys,
        "--db",
        str(office),
        "sync",
        "resolve",
        conflict.id[:8],
        "--keep",
        "other",
        "--user",
        "Milica",
    )

    # the USB stick
    stick = tmp_path / "stick.bundle"
    cli(capsys, "--db", str(office), "sync", "export", "--output", str(stick))
    assert cli(capsys, "--db", str(offline), "sync", "import", str(stick)).startswith("Imported")
    with Register(office) as a, Register(offline) as b:
        family = {x.family_name for x in hh.find_households(a, "")}
        assert {x.family_name for x in hh.find_households(b, "")} == family == {"Ramić", "Petrović"}
        assert [h.notes for h in (hh.get_household(b, shared).household,)] == [
            hh.get_household(a, shared).household.notes
        ]
