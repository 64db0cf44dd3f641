"""The Reports screen: figures without names, saved as files; the full export behind a warning."""

from __future__ import annotations

import csv
import sqlite3

from textual.widgets import DataTable, Input, Select, Static

from docassist import i18n
from docassist.domain.model import Role
from docassist.services import reports as rp
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import ConfirmDialog, ExportPassphraseDialog, SaveDialog
from docassist.ui.screens.reports import ReportsScreen, bar
from tests.ui.conftest import make_user


def _status(app) -> str:
    return str(app.screen.query_one("#report-status", Static).render())


async def _open_reports(app, pilot) -> ReportsScreen:
    await pilot.pause()
    await pilot.press("f9")
    await _counted(app, pilot)
    screen = app.screen
    assert isinstance(screen, ReportsScreen)
    # The demo's cases span the last year and a half: take all of it, not only this quarter.
    start = screen.query_one("#report-from", Input)
    start.value = "2020-01-01"
    start.focus()
    await pilot.press("enter")
    await _counted(app, pilot)
    return screen


async def _counted(app, pilot) -> None:
    """The figures are counted in a worker thread: wait for it, then for the redraw."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _save_as(app, pilot, path) -> None:
    assert isinstance(app.screen, SaveDialog)
    app.screen.query_one("#path", Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause()


def test_bars_are_unicode_blocks():
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 3.2 eighths, rounded
    assert bar(0, 10) == "" and bar(3, 0) == ""


async def test_figures_at_80x24_and_save_csv(demo_db, tmp_path):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(app, pilot)
        table = screen.query_one("#report-table", DataTable)
        labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "People served" in labels
        people = int(str(table.get_row_at(labels.index("People served"))[1]).replace(",", ""))
        assert people > 0
        assert table.size.height >= 8  # the table keeps most of a small screen
        assert "table 1 of 12" in _status(app)

        await pilot.press("n")
        await pilot.pause()
        assert str(table.ordered_columns[0].label) == "Municipality"
        assert any("█" in str(table.get_row_at(i)[-1]) for i in range(table.row_count))
        await pilot.press("n")  # the same figures, by settlement
        await pilot.pause()
        columns = [str(c.label) for c in table.ordered_columns]
        assert columns[:2] == ["Municipality", "Settlement"] and table.row_count > 1
        assert screen.query_one("#report-table-choice", Select).value == 2
        assert "table 3 of 12" in _status(app)

        await pilot.press("c")
        await pilot.pause()
        await _save_as(app, pilot, tmp_path / "figures.csv")
        assert isinstance(app.screen, ReportsScreen)
        assert "figures.csv" in _status(app).replace("\n", "")
        rows = list(csv.reader((tmp_path / "figures.csv").open(encoding="utf-8-sig")))
        assert ["People served", str(people)] in rows


async def test_save_xlsx_to_the_suggested_place(demo_db, _isolated_home):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_reports(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        suggested = app.screen.query_one("#path", Input).value
        assert suggested.startswith(str(_isolated_home / "exports"))
        assert suggested.endswith(".xlsx")
        await pilot.press("enter")
        await pilot.pause()
        assert list((_isolated_home / "exports").glob("docassist-report-2020-01-01-*.xlsx"))


async def test_bad_date_is_said_and_the_figures_stay(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(app, pilot)
        before = screen.report
        end = screen.query_one("#report-to", Input)
        end.value = "31.02.2026"
        end.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "'31.02.2026' is not a date" in _status(app)
        assert screen.report is before


async def test_language_switch_redraws_in_place(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        # The screen's own redraw. (app.choose_language would also redraw the Register
        # screen behind, which recomposes its Header and fails in Textual: NoMatches
        # 'HeaderTitle' - the same from any area, reported to the lead.)
        i18n.set_language("sr")
        await screen.retranslate()
        await pilot.pause()
        table = screen.query_one("#report-table", DataTable)
        assert str(table.ordered_columns[0].label) == "Општина"
        assert screen.query_one("#report-from", Input).value == "2020-01-01"
        assert screen.table_index == 1


async def test_full_export_hidden_from_a_facilitator(demo_db, tmp_path):
    user = make_user(demo_db, Role.FACILITATOR, name="Test Facilitator")
    app = DocAssistApp(demo_db, demo=True, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(app, pilot)
        assert "e" not in screen.active_bindings
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)


async def test_full_export_warns_then_writes_and_audits(demo_db, tmp_path):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_reports(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "personal data" in str(app.screen.query_one("#confirm-message", Static).render())
        # Enter out of habit cancels: personal data must not leave by accident.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("e")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        await _type_passphrase(app, pilot, PASSPHRASE, PASSPHRASE)
        assert isinstance(app.screen, SaveDialog)
        # the name offered says what the file is: an XLSX in an (encrypted) zip
        assert app.screen.query_one("#path", Input).value.endswith(".xlsx.zip")
        await _save_as(app, pilot, tmp_path / "everything.xlsx.zip")
        await pilot.pause()
        written = tmp_path / "everything.xlsx.zip"
        assert written.exists()
        status = _status(app).replace("\n", " ")
        assert "everything.xlsx.zip" in status and "7-Zip" in status
    import pyzipper

    with pyzipper.AESZipFile(written) as archive:
        archive.setpassword(PASSPHRASE.encode("utf-8"))
        assert archive.namelist() == ["everything.xlsx"]
        assert archive.read("everything.xlsx").startswith(b"PK")  # the workbook itself
    with sqlite3.connect(demo_db) as conn:
        [(after,)] = conn.execute("SELECT after FROM audit_log WHERE action = 'export'")
    assert '"encrypted": true' in after


PASSPHRASE = "dobro jutro 2026"


async def _type_passphrase(app, pilot, first, again) -> None:
    assert isinstance(app.screen, ExportPassphraseDialog)
    await pilot.press(*first)
    await pilot.press("enter")  # to the second field
    await pilot.press(*again)
    await pilot.press("enter")
    await pilot.pause()


async def _to_passphrase(app, pilot) -> None:
    await _open_reports(app, pilot)
    await pilot.press("e")
    await pilot.pause()
    await pilot.click("#yes")
    await pilot.pause()
    assert isinstance(app.screen, ExportPassphraseDialog)


async def test_the_export_passphrase_is_masked_and_typed_twice(demo_db, tmp_path):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_passphrase(app, pilot)
        dialog = app.screen
        assert all(i.password for i in dialog.query(Input))
        await _type_passphrase(app, pilot, PASSPHRASE, "dobro jutro 2027")
        assert app.screen is dialog  # still asking
        error = str(dialog.query_one("#error", Static).render())
        assert "differ" in error
        assert dialog.query_one("#again", Input).value == ""  # typed again, not fixed
        assert dialog.query_one("#passphrase", Input).value == PASSPHRASE
        dialog.query_one("#passphrase", Input).value = "short"
        dialog.query_one("#again", Input).value = "short"
        await pilot.click("#ok")
        await pilot.pause()
        assert "at least 10 characters" in str(dialog.query_one("#error", Static).render())
        assert app.screen is dialog


async def test_escape_cancels_the_export_and_writes_nothing(demo_db, tmp_path, monkeypatch):
    from docassist.services import export

    out = tmp_path / "exports"
    monkeypatch.setattr(export, "default_export_dir", lambda: out)
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_passphrase(app, pilot)
        await pilot.press(*"half typed")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)
    assert not out.exists()
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'export'"
        ).fetchone() == (0,)


async def test_an_unencrypted_export_is_an_explicit_choice_with_a_warning(demo_db, tmp_path):
    from openpyxl import load_workbook

    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_passphrase(app, pilot)
        await pilot.click("#unencrypted")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "NOT encrypted" in str(app.screen.query_one("#confirm-message", Static).render())
        await pilot.press("enter")  # Enter out of habit is the "no"
        await pilot.pause()
        assert isinstance(app.screen, ExportPassphraseDialog)
        await pilot.click("#unencrypted")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert app.screen.query_one("#path", Input).value.endswith(".xlsx")
        await _save_as(app, pilot, tmp_path / "plain.xlsx")
        await pilot.pause()
        assert "NOT encrypted" in _status(app).replace("\n", " ")
    assert load_workbook(tmp_path / "plain.xlsx", read_only=True).sheetnames[0] == "households"


async def test_a_failed_save_stays_on_screen(demo_db, tmp_path):
    # Closing the path dialog counts the figures again; that must not wipe the
    # message saying the file was not written.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_reports(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        await _save_as(app, pilot, blocker / "figures.csv")
        await _counted(app, pilot)
        assert "Could not save to" in _status(app).replace("\n", " ")


async def test_each_report_shown_is_audited_once_with_the_user(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(app, pilot)
        screen.reload()  # the same period counted again is not a new report
        await _counted(app, pilot)
        rows = app.ctx.db.execute(
            "SELECT user_id, after FROM audit_log WHERE action = 'report' ORDER BY id"
        ).fetchall()
    # this quarter first, then the period typed
    assert [r[0] for r in rows] == [app.ctx.user_id] * 2
    assert '"from": "2020-01-01"' in rows[1][1]


async def test_one_municipality_shows_small_counts_as_below_the_setting(demo_db):
    import dataclasses

    from textual.widgets import Select

    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    # a high threshold, so the demo's smallest municipality surely has a hidden count
    app.settings = dataclasses.replace(app.settings, small_counts_below=10)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_reports(app, pilot)
        places = screen.query_one("#report-municipality", Select)
        # a municipality where documents were obtained in the period, so the table has counts
        assert screen.report is not None
        whole = rp.build_report(app.ctx, screen.report.period, None)
        with_documents = {row[0] for row in whole.table("documents_by_municipality").rows}
        first = next(
            value
            for label, value in places._options
            if value is not Select.NULL and str(label) in with_documents
        )
        places.value = first
        await _counted(app, pilot)
        table = screen.query_one("#report-table", DataTable)
        for _ in range(4):  # summary, served (two tables), documents, then by age and sex
            await pilot.press("n")
            await pilot.pause()
        assert screen.report is not None and screen.report.municipality == first
        assert str(table.ordered_columns[0].label) == "Age group"
        cells = [str(c) for i in range(table.row_count) for c in table.get_row_at(i)[1:]]
        assert "<10" in cells
        numbers = [int(c.replace(",", "")) for c in cells if c.isdigit() or "," in c]
        assert all(n == 0 or n >= 10 for n in numbers)
        note = str(screen.query_one("#report-note", Static).render())
        assert "Counts below 10 are shown as <10" in note


async def test_a_superscript_digit_in_the_period_is_said_not_a_stop(empty_db):
    # "1.².2026": str.isdigit accepts "²", int does not; the Reports period once
    # stopped the app on it (issue 14 §10). The same reader serves every date field.
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await _counted(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        for typed in ("1.².2026", "²³.11.2026", "٣.١١.٢٠٢٦"):
            start = screen.query_one("#report-from", Input)
            start.value = typed
            start.focus()
            await pilot.press("enter")
            await _counted(app, pilot)
            assert app.is_running and app.screen is screen
            assert f"'{typed}' is not a date" in _status(app)


async def test_a_missing_folder_is_said_in_the_dialog_which_stays_open(demo_db, tmp_path):
    # The USB stick is not plugged in: nothing written, nothing typed lost, no folder made.
    target = tmp_path / "usb" / "reports" / "figures.csv"
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_reports(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        await _save_as(app, pilot, target)
        assert app.screen is dialog
        assert dialog.query_one("#path", Input).value == str(target)
        assert str(dialog.query_one("#error", Static).render()) == (
            f"The folder {target.parent} does not exist. Is the USB stick plugged in?"
        )
        assert not (tmp_path / "usb").exists()
