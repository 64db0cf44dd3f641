"""Report figures against the hand-counted register in report_fixture.py."""

from __future__ import annotations

import json
from datetime import date

import pytest

from docassist.services import reports as rp
from docassist.services.context import ValidationError
from docassist.services.export import report_csv, report_json
from tests.services import report_fixture
from tests.services.report_fixture import NAME_IN_REASON, PERIOD


@pytest.fixture
def built(ctx):
    report_fixture.build(ctx)
    return ctx


def _rows(report: rp.Report, key: str, language: str = "en") -> list[list]:
    return [[rp.localize(c, language) for c in row] for row in report.table(key).rows]


def _by_label(report: rp.Report, key: str) -> dict[str, list]:
    return {row[0]: row[1:] for row in _rows(report, key)}


# --- the building blocks ----------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "group"),
    [(0, "0-4"), (4, "0-4"), (5, "5-17"), (17, "5-17"), (18, "18-59"), (59, "18-59")]
    + [(60, "60+"), (101, "60+"), (None, "unknown")],
)
def test_age_group_edges(age, group):
    assert rp.age_group(age) == group


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("2021", date(2026, 6, 30), 4),  # year only: taken as born on 1 July
        ("2021", date(2026, 7, 1), 5),
        ("2021-09", date(2026, 9, 14), 4),  # month only: taken as born on the 15th
        ("2021-09", date(2026, 9, 15), 5),
        ("~1966", date(2026, 7, 1), 60),  # "about 1966" is read as 1966
        ("2008-07-02", date(2026, 7, 1), 17),
        (None, date(2026, 7, 1), None),
        ("2027", date(2026, 7, 1), None),  # born after the document: no age, not a crash
    ],
)
def test_age_at_the_date_obtained(born, on, age):
    assert rp.age_at(born, on) == age


def test_percentile_is_nearest_rank():
    assert rp.percentile([], 0.9) is None
    assert rp.percentile([5], 0.9) == 5
    assert rp.percentile([29, 30, 61], 0.9) == 61
    assert rp.percentile(range(1, 11), 0.9) == 9
    assert rp.percentile(range(1, 12), 0.9) == 10


def test_default_period_is_the_quarter_so_far():
    today = date(2026, 11, 23)
    assert rp.make_period(today) == rp.Period(date(2026, 10, 1), today)
    assert rp.make_period(today, "2026-01-01").end == today
    assert rp.make_period(today, None, "15.8.2026") == rp.Period(
        date(2026, 7, 1), date(2026, 8, 15)
    )
    assert rp.make_period(today, "1. 7. 2026.", "2026-09-30") == rp.Period(
        date(2026, 7, 1), date(2026, 9, 30)
    )


@pytest.mark.parametrize("text", ["2026-13-01", "31.2.2026", "yesterday", "1.7.26", ""])
def test_bad_dates_are_refused_with_a_message(text):
    with pytest.raises(ValidationError) as err:
        rp.make_period(date(2026, 11, 23), text)
    assert "is not a date" in str(err.value)


def test_period_the_wrong_way_round():
    with pytest.raises(ValidationError, match="starts after it ends"):
        rp.make_period(date(2026, 11, 23), "2026-09-01", "2026-08-01")


def test_municipality_matches_across_scripts(built):
    assert rp.resolve_municipality(built, "Ниш") == "Niš"
    assert rp.resolve_municipality(built, "nis") == "Niš"
    assert rp.resolve_municipality(built, "") is None
    with pytest.raises(ValidationError, match="Known: Beograd, Leskovac, Niš"):
        rp.resolve_municipality(built, "Atlantis")


# --- the figures ----------------------------------------------------------------------


def test_summary(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    summary = dict(_rows(report, "summary"))
    assert summary == {
        "Households served": 3,
        "People served": 11,  # Eva's case saw nothing in the period
        "Documents obtained": 6,
        "Cases opened": 7,  # Baba's and Eva's were opened before June
        "Refusals": 2,
        "Workshops held": 2,
        "Workshop participants (people)": 4,
        "Workshop participants (households)": 2,
        "Routes completed (no document)": 0,
        "Open cases today": 0,  # Eva's case is blocked: counted as blocked, not open
        "Blocked cases today": 1,
        "Overdue cases today": 1,
    }
    assert _by_label(report, "served") == {
        "Beograd": [1, 3],
        "Leskovac": [1, 4],
        "Niš": [1, 4],
    }


def test_documents_by_sex_and_age(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    columns = [c.key for c in report.table("documents").columns]
    assert columns == [
        "document",
        "total",
        "sex_f",
        "sex_m",
        "sex_u",
        "age_0-4",
        "age_5-17",
        "age_18-59",
        "age_60+",
        "age_unknown",
    ]
    assert _by_label(report, "documents") == {
        "Birth registration": [2, 1, 1, 0, 1, 1, 0, 0, 0],
        "ID card": [3, 2, 1, 0, 0, 1, 1, 1, 0],
        "Health insurance card": [1, 0, 0, 1, 0, 0, 0, 0, 1],
        "All documents": [6, 3, 2, 1, 1, 2, 1, 1, 1],
    }
    assert _by_label(report, "documents_sex_age") == {
        "Age 0-4": [1, 0, 0, 1],
        "Age 5-17": [1, 1, 0, 2],
        "Age 18-59": [0, 1, 0, 1],
        "Age 60+": [1, 0, 0, 1],
        "Age not known": [0, 0, 1, 1],
    }
    # total; women, men, sex not known; ages 0-4, 5-17, 18-59, 60+, not known
    assert _rows(report, "documents_by_municipality") == [
        ["Leskovac", "ID card", 1, 1, 0, 0, 0, 0, 0, 1, 0],
        ["Leskovac", "Health insurance card", 1, 0, 0, 1, 0, 0, 0, 0, 1],
        ["Niš", "Birth registration", 2, 1, 1, 0, 1, 1, 0, 0, 0],
        ["Niš", "ID card", 2, 1, 1, 0, 0, 1, 1, 0, 0],
    ]


def test_procedures_time_to_document(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    rows = {row[0]: row[1:] for row in _rows(report, "procedures")}
    title = {c.id: c.title.en for c in checklists}
    # open, blocked, overdue today; obtained, refused in the period; median, p90 days
    assert rows[title["birth-registration"]] == [0, 0, 0, 2, 0, 96.5, 97]
    assert rows[title["id-card"]] == [0, 0, 0, 3, 2, 30, 61]
    assert rows[title["health-insurance"]] == [0, 0, 0, 1, 0, 27, 27]
    assert rows[title["citizenship-certificate"]] == [0, 1, 1, 0, 0, None, None]
    assert isinstance(rows[title["id-card"]][5], int)


@pytest.fixture
def returnees(ctx):
    """The Bajramović family back from Germany, everything obtained in the period.

    Sead (born 2010): the court determined his birth (obtained 01.08.) and a late
    registration was closed "obtained" too (10.08.): one birth registration, two cases.
    Sead and Mirsada both completed the returnees' first steps, a route that produces
    no document; Mirsada then got her ID card. The old count said 5 documents.
    """
    from docassist.domain.model import DocumentKind, Sex
    from docassist.services import cases
    from tests.services.report_fixture import STEPS, _at, _household, _obtained

    family = _household(
        ctx, "Bajramović", "Vranje", [("Sead", Sex.MALE, "2010"), ("Mirsada", Sex.FEMALE, "1985")]
    )
    birth = DocumentKind.BIRTH_REGISTRATION
    sead, mirsada = family["Sead"], family["Mirsada"]
    # both cases running at once, closed one after the other
    _at(ctx, date(2026, 6, 1))
    court = cases.open_case(ctx, sead, "court-birth-determination", 1, STEPS, produces=birth)
    _at(ctx, date(2026, 6, 5))
    late = cases.open_case(ctx, sead, "late-birth-registration", 1, STEPS, produces=birth)
    _at(ctx, date(2026, 8, 1))
    cases.close_case(ctx, court, "obtained", on=date(2026, 8, 1))
    _at(ctx, date(2026, 8, 10))
    cases.close_case(ctx, late, "obtained", on=date(2026, 8, 10))
    _obtained(ctx, sead, "returnee-readmission", None, date(2026, 6, 2), date(2026, 7, 20))
    _obtained(ctx, mirsada, "returnee-readmission", None, date(2026, 6, 2), date(2026, 7, 15))
    _obtained(ctx, mirsada, "id-card", DocumentKind.ID_CARD, date(2026, 7, 16), date(2026, 9, 1))
    _at(ctx, date(2026, 11, 23))
    return ctx


def test_documents_count_each_persons_document_once(returnees, checklists):
    report = rp.build_report(returnees, PERIOD, None, checklists)
    summary = dict(_rows(report, "summary"))
    assert summary["Documents obtained"] == 2  # Sead's birth registration, Mirsada's ID card
    assert _by_label(report, "documents") == {
        "Birth registration": [1, 0, 1, 0, 0, 1, 0, 0, 0],  # once, though two cases obtained it
        "ID card": [1, 1, 0, 0, 0, 0, 1, 0, 0],
        "All documents": [2, 1, 1, 0, 0, 1, 1, 0, 0],
    }
    assert sum(row[-1] for row in _rows(report, "documents_sex_age")) == 2
    assert [row[1:3] for row in _rows(report, "documents_by_municipality")] == [
        ["Birth registration", 1],
        ["ID card", 1],
    ]
    # each case still counts under its own procedure
    title = {c.id: c.title.en for c in checklists}
    procedures = {row[0]: row[4] for row in _rows(report, "procedures")}
    assert procedures[title["court-birth-determination"]] == 1
    assert procedures[title["late-birth-registration"]] == 1


def test_routes_without_a_document_are_counted_apart(returnees, checklists):
    report = rp.build_report(returnees, PERIOD, None, checklists)
    summary = dict(_rows(report, "summary"))
    assert summary["Routes completed (no document)"] == 2
    returnee = next(c.title.en for c in checklists if c.id == "returnee-readmission")
    assert _rows(report, "routes") == [[returnee, 2]]
    assert returnee not in _by_label(report, "documents")
    assert returnee not in [row[1] for row in _rows(report, "documents_by_municipality")]
    # the exports carry the same figures, the routes on a sheet of their own
    data = json.loads(report_json(report, "en"))
    text = json.dumps(data, ensure_ascii=False)
    assert "Routes completed" in text
    csv_text = report_csv(report, "en")
    assert f"{returnee},2" in csv_text.replace('"', "")


def test_refusals_by_reason_never_show_typed_text(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    title = next(c.title.en for c in checklists if c.id == "id-card")
    assert _rows(report, "refusals") == [
        [title, "No registered residence", 1],
        [title, "Another reason", 1],
    ]
    for text in (report_csv(report, "en"), report_json(report, "sr")):
        assert NAME_IN_REASON not in text
        for name in ("Ana", "Nikolić", "Ramić", "Jović"):
            assert name not in text


def test_refusal_reason_recorded_in_serbian_is_matched(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    sr_label = _rows(report, "refusals", "sr")[0][1]
    assert sr_label == "Нема пријављеног пребивалишта"


@pytest.mark.parametrize("language", ["en", "sr", "rom"])
def test_a_reason_whose_label_holds_a_colon_is_matched(ctx, checklists, language):
    # "The 15-day deadline has passed: late registration is needed" is one label.
    from docassist.domain.model import Sex
    from docassist.services import cases
    from docassist.services import households as hh

    birth = next(c for c in checklists if c.id == "birth-registration")
    reason = next(r for r in birth.refusal_reasons if r.key == "deadline-passed")
    label = reason.label.get(language)[0]
    assert ":" in label
    household = hh.register_household(ctx, hh.HouseholdInput(family_name="Ramić"))
    child = hh.add_person(
        ctx, household, hh.PersonInput(given_name="Sara", family_name="Ramić", sex=Sex.FEMALE)
    )
    case_id = cases.open_case(ctx, child, birth.id, birth.version, report_fixture.STEPS)
    cases.close_case(ctx, case_id, "refused", on=ctx.today(), reason=f"{label}: at the counter")
    today = ctx.today()
    report = rp.build_report(ctx, rp.Period(today, today), None, checklists)
    assert _rows(report, "refusals") == [[birth.title.en, reason.label.en, 1]]


def test_workshops(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    assert _by_label(report, "workshops") == {"Beograd": [1, 3, 1], "Niš": [1, 1, 1]}
    title = {c.id: c.title.en for c in checklists}
    assert _rows(report, "workshop_checklists") == [
        [title["id-card"], 2],
        [title["birth-registration"], 1],
    ]


def test_someone_registered_in_a_household_after_its_workshop_did_not_attend(built, checklists):
    # A baby born in November joins the Jović household, marked present as a whole on
    # 10.08.: the third quarter's figures must not change after the fact.
    from docassist.domain.model import Sex
    from docassist.services import households as hh

    before = rp.build_report(built, PERIOD, None, checklists)
    jovic = hh.find_households(built, "Jović")[0].id
    hh.add_person(
        built,
        jovic,
        hh.PersonInput("Lela", "Jović", sex=Sex.FEMALE, birth_date="01.11.2026"),
    )
    after = rp.build_report(built, PERIOD, None, checklists)
    assert _rows(after, "summary") == _rows(before, "summary")
    assert _by_label(after, "workshops") == _by_label(before, "workshops")


def test_one_municipality(built, checklists):
    report = rp.build_report(built, PERIOD, "Niš", checklists)
    summary = dict(_rows(report, "summary"))
    assert summary["People served"] == 4
    assert summary["Households served"] == 1
    assert summary["Documents obtained"] == 4
    assert summary["Workshops held"] == 1
    assert summary["Workshop participants (people)"] == 1
    assert summary["Refusals"] == 0
    assert summary["Open cases today"] == 0  # Eva's, blocked
    assert summary["Blocked cases today"] == 1


def test_a_period_with_nothing(built, checklists):
    report = rp.build_report(built, rp.Period(date(2020, 1, 1), date(2020, 3, 31)), None)
    assert all(v == 0 for _label, v in _rows(report, "summary")[:8])
    assert report.table("documents").rows == ()
    assert _by_label(report, "documents_sex_age")["Age 0-4"] == [0, 0, 0, 0]


def test_without_checklists_procedures_show_their_ids(built):
    report = rp.build_report(built, PERIOD, None, None)
    assert "id-card" in [row[0] for row in _rows(report, "procedures")]
    assert _rows(report, "refusals") == [["id-card", "Another reason", 2]]


def test_deleted_people_are_not_counted(built, checklists):
    from docassist.services import households as hh

    ana = next(
        p.id
        for h in hh.find_households(built, "Nikolić")
        for p in hh.get_household(built, h.id).members
        if p.given_name == "Ana"
    )
    hh.remove_person(built, ana)
    report = rp.build_report(built, PERIOD, None, checklists)
    assert dict(_rows(report, "summary"))["People served"] == 10


def test_report_json_keeps_numbers(built, checklists):
    report = rp.build_report(built, PERIOD, None, checklists)
    data = json.loads(report_json(report, "en"))
    assert data["period"] == {"from": "2026-06-01", "to": "2026-09-30"}
    summary = next(t for t in data["tables"] if t["key"] == "summary")
    assert summary["rows"][1] == ["People served", 11]


def test_a_removed_person_counts_nowhere(built, checklists):
    """Removing a person (often a duplicate record) takes their documents out too,
    as it takes them out of the people served."""
    from docassist.services import households as hh

    before = dict(_rows(rp.build_report(built, PERIOD, None, checklists), "summary"))
    person_id = built.db.execute(
        "SELECT person_id FROM cases WHERE outcome = 'obtained' AND outcome_date BETWEEN ? AND ?",
        [PERIOD.start.isoformat(), PERIOD.end.isoformat()],
    ).fetchone()[0]
    obtained = built.db.execute(
        "SELECT count(*) FROM cases WHERE person_id = ? AND outcome = 'obtained' "
        "AND outcome_date BETWEEN ? AND ?",
        [person_id, PERIOD.start.isoformat(), PERIOD.end.isoformat()],
    ).fetchone()[0]
    hh.remove_person(built, person_id)
    after = dict(_rows(rp.build_report(built, PERIOD, None, checklists), "summary"))
    assert after["Documents obtained"] == before["Documents obtained"] - obtained
    assert after["People served"] == before["People served"] - 1


def test_workshop_participants_are_the_people_ticked(built, checklists):
    # The Jović household was marked as a whole; only one of them came after all.
    from docassist.services import households as hh
    from docassist.services import workshops as ws

    before = dict(_rows(rp.build_report(built, PERIOD, None, checklists), "summary"))
    jovic = hh.find_households(built, "Jović")[0].id
    [workshop_id] = [
        r[0]
        for r in built.db.execute(
            "SELECT a.workshop_id FROM attendance a JOIN workshops w ON w.id = a.workshop_id "
            "WHERE a.household_id = ? AND a.deleted_at IS NULL AND w.held_on BETWEEN ? AND ?",
            [jovic, PERIOD.start.isoformat(), PERIOD.end.isoformat()],
        )
    ]
    members = [m.id for m in hh.get_household(built, jovic).members]
    assert len(members) > 1
    ws.set_people_present(built, workshop_id, jovic, members[:1])
    after = dict(_rows(rp.build_report(built, PERIOD, None, checklists), "summary"))
    came_less = len(members) - 1
    assert (
        after["Workshop participants (people)"]
        == before["Workshop participants (people)"] - came_less
    )
    assert (
        after["Workshop participants (households)"] == before["Workshop participants (households)"]
    )


# --- small numbers: one municipality chosen ----------------------------------------


def test_one_municipality_hides_sex_and_age_counts_below_three(built, checklists):
    # Niš: two birth registrations and two ID cards, one woman and one man each. Every
    # sex and age count there is 1 or 2: a row "age 0-4, girls: 1" points at one family.
    report = rp.build_report(built, PERIOD, "Niš", checklists)
    assert _by_label(report, "documents") == {
        "Birth registration": [2, "<3", "<3", 0, "<3", "<3", 0, 0, 0],
        "ID card": [2, "<3", "<3", 0, 0, "<3", "<3", 0, 0],
        "All documents": [4, "<3", "<3", 0, "<3", "<3", "<3", 0, 0],
    }
    sex_age = _by_label(report, "documents_sex_age")
    assert sex_age["Age 5-17"] == ["<3", "<3", 0, "<3"]  # the age group's total is a cell too
    assert sex_age["Age 60+"] == [0, 0, 0, 0]  # a zero points at nobody
    assert _rows(report, "documents_by_municipality")[0] == [
        "Niš",
        "Birth registration",
        2,
        "<3",
        "<3",
        0,
        "<3",
        "<3",
        0,
        0,
        0,
    ]
    note = rp.table_note(report.table("documents_sex_age"), str)
    assert note is not None and "Counts below 3 are shown as <3" in note
    # the other tables count nobody by sex and age: left as they are
    assert dict(_rows(report, "summary"))["Documents obtained"] == 4
    assert rp.table_note(report.table("summary"), str) is not None
    assert "<3" not in (rp.table_note(report.table("summary"), str) or "")


def test_all_municipalities_show_every_count(built, checklists):
    # ... but a settlement's sex and age counts (see the settlement tests below)
    report = rp.build_report(built, PERIOD, None, checklists)
    shown = [t for t in report.tables if t.key != "documents_by_settlement"]
    cells = [c for t in shown for row in t.rows for c in row]
    assert not any(isinstance(c, str) and c.startswith("<") for c in cells)
    assert all(t.hidden_below == 0 for t in shown)


@pytest.mark.parametrize(("below", "shown"), [(0, 1), (1, 1), (2, "<2"), (3, "<3"), (5, "<5")])
def test_the_threshold_is_the_setting(built, checklists, below, shown):
    report = rp.build_report(built, PERIOD, "Niš", checklists, below)
    assert _by_label(report, "documents")["ID card"][0] == 2  # the document's total
    # women with an ID card in Niš: one
    assert _by_label(report, "documents")["ID card"][1] == shown


def test_exports_of_one_municipality_carry_the_hidden_counts(built, checklists, tmp_path):
    from openpyxl import load_workbook

    from docassist.services.export import write_report

    report = rp.build_report(built, PERIOD, "Niš", checklists)
    data = json.loads(report_json(report, "en"))
    sex_age = next(t for t in data["tables"] if t["key"] == "documents_sex_age")
    assert ["Age 5-17", "<3", "<3", 0, "<3"] in sex_age["rows"]
    assert "Counts below 3 are shown as <3" in sex_age["note"]
    text = report_csv(report, "en")
    assert "Age 5-17,<3,<3,0,<3" in text and "Counts below 3 are shown as <3" in text
    path = write_report(report, "xlsx", tmp_path / "nis.xlsx", "sr")
    book = load_workbook(path, read_only=True)
    values = [
        c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]
    assert "<3" in values
    assert any(isinstance(v, str) and "<3" in v and len(v) > 3 for v in values)  # the note


# --- by settlement: coordinators report by municipality and settlement ------------------


@pytest.fixture
def settlements(ctx):
    """Niš: Crvena zvezda typed in both scripts (two households), Beograd mahala, and a
    household with no settlement; Leskovac: Sat mahala. Everyone obtains a document in
    the period (ID cards; a birth registration in Beograd mahala), and everyone counts
    as served."""
    from docassist.domain.model import DocumentKind, Relation, Sex
    from docassist.services import households as hh
    from tests.services.report_fixture import _at, _obtained

    def family(name, municipality, settlement, *people):
        household = hh.register_household(
            ctx,
            hh.HouseholdInput(name, settlement=settlement, municipality=municipality),
            [hh.PersonInput(g, name, Relation.OTHER, sex, born) for g, sex, born in people],
        )
        return [m.id for m in hh.get_household(ctx, household).members]

    _at(ctx, date(2026, 1, 5))
    f, m = Sex.FEMALE, Sex.MALE
    ids = [
        *family("Ramić", "Niš", "Crvena zvezda", ("Ana", f, "1990"), ("Bora", m, "1988")),
        *family("Јовић", "Niš", "Црвена звезда", ("Вера", f, "1970")),
        *family("Nikolić", "Niš", "Beograd mahala", ("Dara", f, "2026")),
        *family("Kurtić", "Niš", "", ("Emin", m, "1950")),
        *family("Asanović", "Leskovac", "Sat mahala", ("Fikret", m, "1999")),
    ]
    card, birth = DocumentKind.ID_CARD, DocumentKind.BIRTH_REGISTRATION
    for person in ids:
        kind, checklist = (birth, "birth-registration") if person == ids[3] else (card, "id-card")
        _obtained(ctx, person, checklist, kind, date(2026, 7, 1), date(2026, 8, 3))
    _at(ctx, date(2026, 11, 23))
    return ctx


def test_the_report_breaks_each_municipality_down_by_settlement(settlements, checklists):
    report = rp.build_report(settlements, PERIOD, None, checklists, small_counts_below=0)
    assert _rows(report, "served_by_settlement") == [
        ["Leskovac", "Sat mahala", 1, 1],
        ["Niš", "Beograd mahala", 1, 1],
        ["Niš", "Crvena zvezda", 2, 3],  # one settlement, in either script
        ["Niš", "(no settlement)", 1, 1],
    ]
    # total; women, men, sex not known; ages 0-4, 5-17, 18-59, 60+, not known
    assert _rows(report, "documents_by_settlement") == [
        ["Leskovac", "Sat mahala", "ID card", 1, 0, 1, 0, 0, 0, 1, 0, 0],
        ["Niš", "Beograd mahala", "Birth registration", 1, 1, 0, 0, 1, 0, 0, 0, 0],
        ["Niš", "Crvena zvezda", "ID card", 3, 2, 1, 0, 0, 0, 3, 0, 0],
        ["Niš", "(no settlement)", "ID card", 1, 0, 1, 0, 0, 0, 0, 1, 0],
    ]
    # the same figures as the municipality tables, row for row: without the settlement
    # column, a municipality's settlements add up to its own row
    for by_settlement, by_municipality, labels in (
        ("served_by_settlement", "served", 1),
        ("documents_by_settlement", "documents_by_municipality", 2),
    ):
        added: dict[tuple, list[int]] = {}
        for row in _rows(report, by_settlement):
            row = [row[0], *row[2:]]
            before = added.get(tuple(row[:labels]), [0] * len(row[labels:]))
            added[tuple(row[:labels])] = [a + b for a, b in zip(before, row[labels:], strict=True)]
        whole = {tuple(row[:labels]): row[labels:] for row in _rows(report, by_municipality)}
        assert added == whole, by_settlement
    assert [t.key for t in report.tables].index("served_by_settlement") == 2


def test_a_settlements_sex_and_age_counts_are_hidden_in_every_scope(settlements, checklists):
    # A settlement can be a street: "Sat mahala, men 18-59: 1" points at one man, even in
    # a report over every municipality. The document's total stays.
    for municipality in (None, "Leskovac"):
        report = rp.build_report(settlements, PERIOD, municipality, checklists)
        row = next(r for r in _rows(report, "documents_by_settlement") if r[1] == "Sat mahala")
        assert row == ["Leskovac", "Sat mahala", "ID card", 1, 0, "<3", 0, 0, 0, "<3", 0, 0]
        assert "Counts below 3" in (rp.table_note(report.table("documents_by_settlement"), str))
    only = rp.build_report(settlements, PERIOD, "Leskovac", checklists)
    assert [r[1] for r in _rows(only, "served_by_settlement")] == ["Sat mahala"]


def test_the_settlement_tables_reach_every_export(settlements, checklists, tmp_path):
    from openpyxl import load_workbook

    from docassist.services.export import write_report

    report = rp.build_report(settlements, PERIOD, None, checklists)
    keys = [t["key"] for t in json.loads(report_json(report, "en"))["tables"]]
    assert {"served_by_settlement", "documents_by_settlement"} <= set(keys)
    assert "Niš,Crvena zvezda,2,3" in report_csv(report, "en")
    path = write_report(report, "xlsx", tmp_path / "report.xlsx", "sr")
    book = load_workbook(path, read_only=True)
    sheet = book["Услужени по насељима"]
    assert ["Niš", "Crvena zvezda", 2, 3] in [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "Документа по насељима" in book.sheetnames
