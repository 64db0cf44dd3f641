"""Printable handouts, read back: the PDF text must carry Cyrillic and Romani letters."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from docassist import cli, locations
from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
from docassist.handouts.fields import (
    BRING,
    STEPS,
    TEXT,
    TIPS,
    introduction_fields,
    step_fields,
)
from docassist.handouts.procedure import closing_blanks
from docassist.handouts.words import DRAFT, Words
from docassist.i18n import translate_in
from docassist.procedures import Checklist, ChecklistSet, Text, load_all
from docassist.services import handouts
from docassist.services import households as hh
from docassist.services.context import Context, NotFoundError

TODAY = date(2026, 11, 23)
LANGUAGE_SETS = [("en",), ("sr",), ("rom",), ("rom", "sr"), ("sr_Latn", "en"), ("en", "rom")]


@pytest.fixture(scope="module")
def checklists():
    return load_all(user=False)


def pdf_text(data: bytes) -> str:
    """All pages' text with runs of white space made one space (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def swapped(checklists: ChecklistSet, changed: Checklist) -> ChecklistSet:
    """The set with one checklist replaced by an edited copy."""
    return ChecklistSet(changed if c.id == changed.id else c for c in checklists)


def flat(text: str) -> str:
    return " ".join(text.split())


_built: dict[tuple, bytes] = {}


def checklist_pdf(checklists, checklist_id: str, languages) -> bytes:
    """Built once per test run: embedding the font takes about a second a file."""
    key = (id(checklists), checklist_id, tuple(languages))
    if key not in _built:
        _built[key] = handouts.make_checklist_handout(
            checklists, checklist_id, languages, TODAY
        ).data
    return _built[key]


# -- the checklist handout -------------------------------------------------------


ALL_CHECKLISTS = [c.id for c in load_all(user=False, bundled=True)]
CASES = [(cid, ("rom", "sr")) for cid in ALL_CHECKLISTS] + [
    ("id-card", languages) for languages in LANGUAGE_SETS if languages != ("rom", "sr")
]


@pytest.mark.parametrize(
    ("checklist_id", "languages"), CASES, ids=[f"{cid}-{'+'.join(codes)}" for cid, codes in CASES]
)
def test_checklist_handout_has_every_step_in_each_language(checklists, checklist_id, languages):
    checklist = checklists.get(checklist_id)
    text = pdf_text(checklist_pdf(checklists, checklist_id, languages))
    for code in languages:
        assert flat(checklist.title.get(code)[0]) in text
        for number, step in enumerate(checklist.steps, 1):
            assert f"{number}. {flat(step.title.get(code)[0])}" in text
            for item in step.bring:
                assert flat(item.get(code)[0]) in text
        assert translate_in(code, "What to bring") in text
    # The blanks the facilitator fills in by hand.
    assert translate_in(languages[0], "Office address") in text


def test_serbian_handout_is_in_cyrillic(checklists):
    text = pdf_text(checklist_pdf(checklists, "birth-registration", ["sr"]))
    assert "Пријава рођења" in text
    assert "Извод из матичне књиге рођених мајке" in text
    assert "ž" not in text  # no Latin fallback sneaked in


def test_romani_letters_survive(checklists):
    text = pdf_text(checklist_pdf(checklists, "birth-registration", ["rom"]))
    assert "Phenen kaj bijandilo o čhavo" in text  # č, čh
    assert "Dži 15 dive palo bijandipe." in text  # dž
    assert "državljanstvosko" in text  # ž
    assert "Kaske trebal" in text or translate_in("rom", "Who needs it") in text


def test_two_languages_side_by_side_carry_both(checklists):
    text = pdf_text(checklist_pdf(checklists, "id-card", ["rom", "sr"]))
    assert "Lična karta" in text
    assert "Лична карта" in text


def test_check_with_the_office_marks_unconfirmed_facts(checklists):
    checklist = checklists.get("id-card")
    assert any(step.verify_locally for step in checklist.steps)
    for code in ("en", "sr", "rom"):
        text = pdf_text(checklist_pdf(checklists, "id-card", [code]))
        assert translate_in(code, "Check with the office") in text


def test_checklist_without_unconfirmed_facts_has_no_note(checklists):
    checklist = checklists.get("id-card")
    steps = tuple(replace(s, verify_locally=frozenset()) for s in checklist.steps)
    quiet = swapped(checklists, replace(checklist, steps=steps))
    text = pdf_text(checklist_pdf(quiet, "id-card", ["en"]))
    assert "Check with the office" not in text


def test_a_step_shows_its_fields_in_one_order_with_their_checks(checklists):
    step = checklists.get("id-card").steps[0]
    step = replace(
        step,
        deadline=Text({"en": "Within a month"}),
        tips=Text({"en": "Ask who came before"}),
        verify_locally=frozenset({"bring", "cost"}),
    )
    fields = step_fields(step)
    assert [(f.kind, f.heading, f.verify) for f in fields] == [
        (BRING, "What to bring", True),
        (TEXT, "Where to go", False),
        (TEXT, "Cost", True),
        (TEXT, "How long it takes", False),
        (TEXT, "Deadline", False),
        (TEXT, "Done when", False),
        (TIPS, "For the facilitator", False),
    ]
    assert fields[0].value == step.bring and fields[2].value == step.cost
    # No deadline and no tips: their parts are left out, not shown empty.
    bare = replace(step, deadline=None, tips=None)
    assert [f.heading for f in step_fields(bare)] == [
        "What to bring",
        "Where to go",
        "Cost",
        "How long it takes",
        "Done when",
    ]


def test_an_introduction_shows_the_summary_who_and_the_steps(checklists):
    checklist = checklists.get("id-card")
    fields = introduction_fields(checklist)
    assert [(f.kind, f.heading) for f in fields] == [
        (TEXT, ""),
        (TEXT, "Who needs it"),
        (STEPS, "The steps"),
    ]
    assert fields[2].value == tuple(s.title for s in checklist.steps)


def test_the_handout_prints_the_step_fields_in_order_without_the_tips(checklists):
    checklist = checklists.get("id-card")
    text = pdf_text(checklist_pdf(checklists, "id-card", ["en"]))
    for number, step in enumerate(checklist.steps, 1):
        # The last time the title is printed heads the step (the first is in the list).
        at = text.rindex(f"{number}. {flat(step.title.get('en')[0])}")
        for field in step_fields(step):
            if field.kind == TIPS:
                assert flat(field.value.get("en")[0]) not in text
                continue
            at = text.index(field.heading, at)


def test_draft_marker_for_unreviewed_languages_only(checklists):
    checklist = checklists.get("id-card")
    assert checklist.review["en"] == "reviewed" and checklist.review["rom"] == "draft"
    assert DRAFT not in pdf_text(checklist_pdf(checklists, "id-card", ["en"]))
    text = pdf_text(checklist_pdf(checklists, "id-card", ["rom", "en"]))
    assert translate_in("rom", DRAFT) in text


def test_fallback_text_is_named_and_marks_the_handout_a_draft(checklists):
    checklist = checklists.get("id-card")
    summary = Text(en=checklist.summary.en, sr=checklist.summary.sr, rom="")
    reviewed = {"en": "reviewed", "sr": "reviewed", "rom": "reviewed"}
    patched = swapped(checklists, replace(checklist, summary=summary, review=reviewed))
    text = pdf_text(checklist_pdf(patched, "id-card", ["rom"]))
    # Romani falls back to Serbian Latin, says so, and the handout is marked a draft.
    assert "Lična karta dokazuje identitet" in text
    assert translate_in("rom", "shown in {language}").format(language="Srpski") in text
    assert translate_in("rom", DRAFT) in text


def test_the_font_is_embedded(checklists):
    reader = PdfReader(io.BytesIO(checklist_pdf(checklists, "id-card", ["sr"])))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert any("DejaVuSans" in name for name in names)
    for key in fonts:
        descendant = fonts[key].get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded, not referenced


def test_font_and_licence_ship_inside_the_package():
    fonts = locations.fonts_dir()
    assert fonts.parent.name == "docassist"  # inside the package: the wheel takes it
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (fonts / name).is_file()
    assert "Bitstream" in (fonts / "LICENSE").read_text(encoding="utf-8")


def test_unknown_checklist_and_language(checklists):
    with pytest.raises(NotFoundError):
        handouts.make_checklist_handout(checklists, "no-such-thing", ["en"], TODAY)
    with pytest.raises(ValueError):
        handouts.make_checklist_handout(checklists, "id-card", ["xx"], TODAY)


# -- the family plan ----------------------------------------------------------------


@pytest.fixture
def register(tmp_path):
    """The Ramić family, recorded in Romani: parents without ID cards, a child of 8, in a
    register made as ``docassist init`` makes it (encrypted)."""
    from tests.cli.support import new_register

    path = tmp_path / "register.db"
    ctx = new_register(path, "Register Coordinator")
    ctx.today = lambda: TODAY
    db = ctx.db
    missing = {
        DocumentKind.BIRTH_REGISTRATION: DocumentState.HAVE,
        DocumentKind.CITIZENSHIP: DocumentState.HAVE,
        DocumentKind.RESIDENCE: DocumentState.HAVE,
        DocumentKind.ID_CARD: DocumentState.MISSING,
        DocumentKind.HEALTH_INSURANCE: DocumentState.MISSING,
    }
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput(
            "Ramić",
            settlement="Veliki rit",
            municipality="Novi Sad",
            language="rom",
            consent_date=TODAY.isoformat(),
        ),
        [
            hh.PersonInput("Sabit", "Ramić", Relation.HEAD, Sex.MALE, "1990", documents=missing),
            hh.PersonInput("Ajša", "Ramić", Relation.SPOUSE, Sex.FEMALE, "1993", documents=missing),
            hh.PersonInput("Emir", "Ramić", Relation.CHILD, Sex.MALE, "2018"),
        ],
    )
    yield path, ctx, household_id
    db.close()


def test_family_plan_lists_each_member_in_romani_with_serbian(register, checklists):
    _path, ctx, household_id = register
    handout = handouts.make_family_plan(ctx, household_id, checklists)
    text = pdf_text(handout.data)
    for name in ("Sabit Ramić", "Ajša Ramić", "Emir Ramić"):
        assert name in text
    # In the family's recorded language, the Serbian Cyrillic beside it.
    assert translate_in("rom", "Next step:") in text
    assert "Lična karta" in text
    assert "Лична карта" in text
    # The headings in both languages, as on the checklist handout (issue 16 §5).
    for msgid in ("Bring:", "Where:", "Cost"):
        rom, sr = (translate_in(code, msgid).strip(":") for code in ("rom", "sr"))
        assert f"{rom} · {sr}" in text, msgid
    assert translate_in("sr", "Next step:") + " Лична карта" in text
    assert translate_in("sr", "Has:") in text
    assert handout.filename.startswith("family-plan-ramic-")


def lines_per_page(data: bytes) -> list[list[str]]:
    """Each page's lines of text, the page footer left out."""
    reader = PdfReader(io.BytesIO(data))
    return [
        [
            line
            for line in (page.extract_text() or "").splitlines()
            if line.strip() and not line.startswith("docassist ·")
        ]
        for page in reader.pages
    ]


@pytest.mark.parametrize(
    ("checklist_id", "languages"), CASES, ids=[f"{cid}-{'+'.join(codes)}" for cid, codes in CASES]
)
def test_no_page_holds_one_line_or_only_the_blanks(checklists, checklist_id, languages):
    """Issue 16 §5: a last sheet with only "Datumi / Датум: ____" on it."""
    data = checklist_pdf(checklists, checklist_id, languages)
    blanks = [flat(b) for b in closing_blanks(Words(languages))]
    for number, lines in enumerate(lines_per_page(data), 1):
        assert len(lines) > 1, (number, lines)
        assert [flat(line) for line in lines] != blanks, number
    assert all(b in pdf_text(data) for b in blanks)  # the blanks are printed somewhere


def test_a_family_plan_has_no_page_of_one_line(register, checklists):
    _path, ctx, household_id = register
    for language in ("rom", "sr", "en"):
        data = handouts.make_family_plan(ctx, household_id, checklists, language).data
        for number, lines in enumerate(lines_per_page(data), 1):
            assert len(lines) > 1, (language, number, lines)


def test_family_plan_in_serbian_has_no_second_language(register, checklists):
    _path, ctx, household_id = register
    text = pdf_text(handouts.make_family_plan(ctx, household_id, checklists, "sr").data)
    assert "Лична карта" in text
    assert "Lična karta" not in text
    assert "Sabit Ramić" in text


def test_family_plan_lists_documents_held_not_procedures_done(register, checklists):
    # Sabit and Ajša were registered at birth: they hold the documents, they did not go
    # through late registration or the citizenship procedure.
    _path, ctx, household_id = register
    text = pdf_text(handouts.make_family_plan(ctx, household_id, checklists, "en").data)
    assert "Has: Birth registration, Citizenship certificate, Registered residence" in text
    assert "Done: Late birth registration" not in text
    assert "Citizenship certificate, Late" not in text


def test_family_plan_offers_the_court_as_an_or(register, checklists):
    # Emir (8) was never registered: late registration, or the court route instead.
    _path, ctx, household_id = register
    text = pdf_text(handouts.make_family_plan(ctx, household_id, checklists, "en").data)
    assert "Or, instead of Late birth registration: Court: time and place of birth" in text


def test_unknown_household(register, checklists):
    _path, ctx, _household_id = register
    with pytest.raises(NotFoundError):
        handouts.make_family_plan(ctx, "no-such-household", checklists)


# -- saving -------------------------------------------------------------------------


def _audits(ctx: Context, household_id: str) -> int:
    return ctx.db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'print' AND entity_id = ?",
        [household_id],
    ).fetchone()[0]


def test_save_defaults_to_the_handouts_folder_and_audits_a_family_plan(register, checklists):
    _path, ctx, household_id = register
    handout = handouts.make_family_plan(ctx, household_id, checklists)
    assert _audits(ctx, household_id) == 0  # building is not printing
    path = handouts.save(handout, ctx=ctx)
    assert path == locations.handouts_dir() / handout.filename
    assert path.read_bytes() == handout.data
    assert [p.name for p in path.parent.iterdir()] == [handout.filename]  # no .part left
    assert _audits(ctx, household_id) == 1
    entry = ctx.db.execute("SELECT after FROM audit_log WHERE action = 'print'").fetchone()[0]
    assert "Ramić" not in entry and "handouts" not in entry  # what, not what it says


def test_save_to_a_chosen_file_or_folder(tmp_path, checklists):
    handout = handouts.make_checklist_handout(checklists, "id-card", ["rom", "sr"], TODAY)
    assert handout.filename == "id-card-rom-sr.pdf"
    assert handouts.save(handout, tmp_path / "mine.pdf") == tmp_path / "mine.pdf"
    assert handouts.save(handout, tmp_path / "plain") == tmp_path / "plain.pdf"
    (tmp_path / "usb").mkdir()  # "usb/" names a folder; one the user names is never made
    assert handouts.save(handout, f"{tmp_path}/usb/") == tmp_path / "usb" / "id-card-rom-sr.pdf"
    assert handouts.save(handout, tmp_path) == tmp_path / "id-card-rom-sr.pdf"


def test_save_failure_leaves_nothing(tmp_path, checklists):
    handout = handouts.make_checklist_handout(checklists, "id-card", ["en"], TODAY)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        handouts.save(handout, blocker / "inside.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


# -- command line -------------------------------------------------------------------


def test_cli_checklist_handout(tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    code = cli.main(
        [
            "handout",
            "checklist",
            "id-card",
            "--lang",
            "rom",
            "--second-lang",
            "sr",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert str(out) in capsys.readouterr().out
    text = pdf_text(out.read_bytes())
    assert "Lična karta" in text and "Лична карта" in text


def test_cli_checklist_handout_default_folder(capsys):
    assert cli.main(["handout", "checklist", "birth-registration"]) == 0
    assert (locations.handouts_dir() / "birth-registration-en.pdf").is_file()


def test_cli_unknown_checklist(capsys):
    assert cli.main(["handout", "checklist", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err and "id-card" in err


@pytest.fixture
def signed_in(register, monkeypatch):
    """The register, with a facilitator the command line signs in as."""
    from docassist.domain.model import Role
    from tests.cli.support import add_user, sign_in_as

    path, _ctx, household_id = register
    user_id = add_user(path, "Milica Jovanović", Role.FACILITATOR)
    sign_in_as(monkeypatch, "Milica Jovanović")
    return path, user_id, household_id


def test_cli_family_plan(signed_in, tmp_path, capsys):
    path, _user_id, household_id = signed_in
    out = tmp_path / "plans"
    out.mkdir()  # a folder the user names is never made
    assert (
        cli.main(["--db", str(path), "handout", "family", household_id, "--output", f"{out}/"]) == 0
    )
    [written] = list(out.iterdir())
    assert "Emir Ramić" in pdf_text(written.read_bytes())


def test_cli_unknown_household(signed_in, capsys):
    path, _user_id, _household_id = signed_in
    assert cli.main(["--db", str(path), "handout", "family", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err


def test_cli_family_plan_needs_a_register(tmp_path, capsys):
    assert cli.main(["--db", str(tmp_path / "none.db"), "handout", "family", "x"]) == 2
    assert not (tmp_path / "none.db").exists()  # not created by asking


def test_handouts_need_no_tui():
    """Handouts are made from the command line too: no Textual or Rich below the UI."""
    import subprocess
    import sys

    code = (
        "import sys, docassist.services.handouts\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_family_plan_records_who_printed_it(signed_in, tmp_path, capsys, monkeypatch):
    from tests.cli.support import connect

    path, user_id, household_id = signed_in
    argv = ["--db", str(path), "handout", "family", household_id, "--output", f"{tmp_path}/"]
    assert cli.main([*argv, "--user", "milica jovanovic"]) == 0
    with connect(path) as conn:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'print'").fetchall()
    assert rows == [(user_id,)]


def test_cli_family_plan_needs_a_sign_in(signed_in, tmp_path, capsys, monkeypatch):
    # It holds a family's names: it asked for nobody before.
    path, _user_id, household_id = signed_in
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", "not the passphrase")
    argv = ["--db", str(path), "handout", "family", household_id, "--output", f"{tmp_path}/x/"]
    assert cli.main(argv) == 2
    assert "do not match" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
