"""A register of made-up families (the demo's, or the practice database where trainees
practise) never meets the organisation's: `hub connect`, `hub join`, `sync`, `sync
export` and `sync import` are refused, saying why, and nothing reaches the hub or it."""

from __future__ import annotations

import psycopg
import pytest

from docassist.services import practice, sync
from docassist.services.context import Context
from docassist.services.made_up import DEMO_KIND
from docassist.services.sync import bundle
from docassist.store import outbox
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from tests.hub.support import TODAY
from tests.hub.test_cli import make_register, run

PRACTICE_SAYS = "This is the practice register, where trainees practise on made-up families"
DEMO_SAYS = "This is a demo register: its families are made up"


def _mark_demo(path) -> None:
    db = open_database(path)
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(DEMO_KIND))
    db.close()


def _mark_practice(path) -> None:
    practice.open_practice(path).db.close()


def _devices_on(hub: str) -> int:
    with psycopg.connect(hub) as conn:
        return conn.execute("SELECT count(*) FROM docassist.devices").fetchone()[0]


def _households(path) -> int:
    db = open_database(path)
    try:
        return db.execute("SELECT count(*) FROM households").fetchone()[0]
    finally:
        db.close()


def test_the_command_line_refuses_the_hub_and_bundles_to_a_practice_register(capsys, tmp_path, hub):
    real, made_up = tmp_path / "real.db", tmp_path / "practice.db"
    make_register(real)
    make_register(made_up, family="Izmišljenić")
    _mark_practice(made_up)
    status, _, err = run(capsys, "--db", str(real), "hub", "connect", hub, "--user", "Milica")
    assert status == 0, err
    stick = tmp_path / "stick.bundle"
    assert run(capsys, "--db", str(real), "sync", "export", "--output", str(stick))[0] == 0
    devices = _devices_on(hub)

    for argv in (
        ("hub", "connect", hub, "--user", "Milica"),
        ("sync", "--user", "Milica"),
        ("sync", "import", str(stick), "--user", "Milica"),
        ("sync", "export", "--output", str(tmp_path / "out.bundle"), "--user", "Milica"),
    ):
        status, out, err = run(capsys, "--db", str(made_up), *argv)
        assert status != 0, argv
        assert PRACTICE_SAYS in err and "Traceback" not in err, (argv, err)
    assert _devices_on(hub) == devices  # the hub never heard of it
    assert _households(made_up) == 1  # the real family never came in
    assert not (tmp_path / "out.bundle").exists()
    db = open_database(made_up)
    assert not outbox.state(db)["attached"]
    db.close()


def test_hub_join_names_a_demo_register_it_is_pointed_at(capsys, tmp_path, hub):
    demo = tmp_path / "demo.db"
    make_register(demo)
    _mark_demo(demo)
    status, _, err = run(capsys, "--db", str(demo), "hub", "join", hub, "--user", "Milica")
    assert status != 0 and DEMO_SAYS in err, err
    assert _devices_on(hub) == 0


@pytest.mark.parametrize("mark", [_mark_demo, _mark_practice])
def test_every_way_to_the_hub_is_refused_in_the_services(tmp_path, hub, mark):
    path = tmp_path / "made-up.db"
    make_register(path)
    mark(path)
    ctx = Context(open_database(path), today=lambda: TODAY)
    try:
        for attempt in (
            lambda: sync.connect_hub(ctx, hub),
            lambda: sync.join_hub(ctx, hub, "Milica"),
            lambda: sync.sync(ctx),
            lambda: bundle.export_bundle(ctx, tmp_path / "out.bundle"),
            lambda: bundle.import_bundle(ctx, tmp_path / "any.bundle"),
        ):
            with pytest.raises(sync.MadeUpRegisterError):
                attempt()
    finally:
        ctx.db.close()
    assert _devices_on(hub) == 0


async def test_the_apps_sync_command_says_a_demo_register_never_syncs(tmp_path, hub):
    demo = tmp_path / "demo.db"
    make_register(demo)
    _mark_demo(demo)
    db = open_database(demo)
    user = db.execute("SELECT id FROM users").fetchone()[0]
    db.close()
    app = DocAssistApp(demo, user_id=user)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any(DEMO_SAYS in m for m in said), said
    assert _devices_on(hub) == 0
