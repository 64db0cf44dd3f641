"""Made-up families for trying docassist, for tests and for the benchmark.

Everything here is invented. It is written in bulk (one transaction, plain
inserts) because the benchmark builds 50,000 households; the row builders are
the same ones the use cases use, so demo rows look exactly like real ones.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from docassist.domain import script
from docassist.domain.jmbg import make_jmbg
from docassist.domain.model import (
    CaseStatus,
    DocumentKind,
    DocumentState,
    Outcome,
    PersonStatus,
    Relation,
    Role,
    Sex,
    StepStatus,
    is_active_case,
)
from docassist.services import accounts
from docassist.services.context import Context
from docassist.services.households import (
    HouseholdInput,
    PersonInput,
    household_columns,
    person_columns,
)
from docassist.services.made_up import DEMO_KIND, DEMO_PASSPHRASE
from docassist.store.audit import append_entries
from docassist.store.database import Database
from docassist.store.db import new_id
from docassist.store.search_index import household_search_text


@dataclass(frozen=True)
class DemoChecklist:
    """The little the generator needs to know about a checklist."""

    id: str
    version: int
    produces: DocumentKind | None
    steps: tuple[tuple[str, int | None], ...]  # (step key, typical days)
    # The checklist's own refusal reasons as a facilitator picks them (Serbian Latin):
    # reports count them by reason, as they would real ones.
    refusal_reasons: tuple[str, ...] = ()


# Municipality -> (JMBG region code, settlements). Settlement names are made up.
PLACES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Beograd": (
        "71",
        ("Čukarička padina", "Orlovsko naselje", "Mali Leskovac", "Veliki Mokri Lug"),
    ),
    "Zemun": ("71", ("Altina", "Plavi horizonti", "Ugrinovci")),
    "Niš": ("73", ("Crvena zvezda", "Beograd mahala", "Stočni trg")),
    "Leskovac": ("74", ("Podvorce", "Slavko Zlatanović", "Sat mahala")),
    "Vranje": ("74", ("Gornja čaršija", "Sarajevska", "Panadjurište")),
    "Bujanovac": ("74", ("Uglješ", "Gornja mahala")),
    "Kragujevac": ("72", ("Marina mahala", "Sušica", "Ilićevo")),
    "Novi Sad": ("80", ("Veliki rit", "Adice", "Klisa")),
    "Subotica": ("82", ("Peščara", "Bajmok", "Kertvaroš")),
    "Šabac": ("77", ("Dubrava", "Mačvanski Pričinović")),
    "Kraljevo": ("78", ("Ribnica", "Čibukovac")),
    "Požarevac": ("76", ("Stari Kostolac", "Burjan")),
    "Zrenjanin": ("85", ("Gradnulica", "Mužlja")),
    "Pančevo": ("86", ("Kotež", "Vojlovica")),
}

FAMILY_NAMES = (
    "Jovanović",
    "Nikolić",
    "Stojanović",
    "Mitrović",
    "Đorđević",
    "Petrović",
    "Ramić",
    "Demirović",
    "Bajramović",
    "Alijević",
    "Saitović",
    "Mustafić",
    "Šaćirović",
    "Selimović",
    "Memedović",
    "Ljatifi",
    "Kurtić",
    "Asanović",
    "Jašarević",
    "Demiri",
    "Ramadani",
    "Čolić",
    "Živković",
    "Marković",
    "Stanković",
    "Ilić",
    "Osmani",
    "Beriša",
    "Đurić",
    "Redžepović",
    "Krasnići",
    "Bekirović",
    "Mehmedi",
    "Nuhić",
    "Hasani",
    "Zekić",
)
MALE_NAMES = (
    "Dragan",
    "Nenad",
    "Bajram",
    "Sabit",
    "Ramiz",
    "Senad",
    "Dževad",
    "Đorđe",
    "Ljubiša",
    "Nikola",
    "Muharem",
    "Elvis",
    "Dejan",
    "Stefan",
    "Marko",
    "Miloš",
    "Šaban",
    "Čedomir",
    "Njegoš",
    "Zoran",
    "Safet",
    "Ismet",
    "Jovan",
    "Ćazim",
    "Fikret",
    "Goran",
    "Ilir",
)
FEMALE_NAMES = (
    "Ljiljana",
    "Marija",
    "Jelena",
    "Dragana",
    "Fatima",
    "Senada",
    "Zlata",
    "Suzana",
    "Vesna",
    "Đurđa",
    "Nermina",
    "Emina",
    "Šemsa",
    "Ćamila",
    "Selvija",
    "Džemila",
    "Anđela",
    "Nataša",
    "Ruža",
    "Biljana",
    "Sanela",
    "Mirsada",
    "Jasmina",
    "Njomza",
    "Gordana",
    "Elmaza",
)
# Typed by facilitators, so in Serbian (Latin), as the real register holds them; each
# procedure has its own (a health-insurance case is not held up by witnesses).
BLOCK_REASONS: dict[str, tuple[str, ...]] = {
    "birth-registration": (
        "Majka još nema ličnu kartu.",
        "Matičar traži izvod iz knjige venčanih roditelja.",
    ),
    "late-birth-registration": ("Matičar traži dva svedoka.", "Čeka se procena starosti."),
    "court-birth-determination": ("Čeka se ročište u sudu.", "Sud čeka odgovor policije."),
    "kosovo-relocated-books": (
        "Nedostaje izvod iz matičnih knjiga sa Kosova.",
        "Služba još traži knjigu.",
    ),
    "foreign-birth-entry": ("Nedostaje strani izvod na međunarodnom obrascu.",),
    "citizenship-certificate": ("Državljanstvo nije upisano u knjigu rođenih.",),
    "residence-registration": (
        "Policija još nije izašla na teren.",
        "Nema dokaza o pravu na stan.",
    ),
    "id-card": ("Čeka se prijava prebivališta.", "Nedostaje uplatnica."),
    "health-insurance": ("Čeka se potvrda NSZ.", "Nedostaju dokazi o prihodima."),
    "idp-card": ("Čeka se saglasnost KIRS-a.",),
    "returnee-readmission": ("Čeka se putni list.",),
}
# For a checklist the demo knows nothing about (a test's own).
OTHER_BLOCK_REASONS = ("Čeka se odgovor službe.",)
# What a document needs held first (the checklists' prerequisites for the person
# themselves): the demo gives nobody a document without them, so no "citizenship ✓"
# beside "birth registration ✗".
REQUIRES: dict[DocumentKind, tuple[DocumentKind, ...]] = {
    DocumentKind.CITIZENSHIP: (DocumentKind.BIRTH_REGISTRATION,),
    DocumentKind.RESIDENCE: (DocumentKind.BIRTH_REGISTRATION,),
    DocumentKind.ID_CARD: (
        DocumentKind.BIRTH_REGISTRATION,
        DocumentKind.CITIZENSHIP,
        DocumentKind.RESIDENCE,
    ),
    DocumentKind.HEALTH_INSURANCE: (DocumentKind.BIRTH_REGISTRATION,),
    DocumentKind.IDP_CARD: (DocumentKind.BIRTH_REGISTRATION,),
    DocumentKind.TRAVEL_DOCUMENT: (DocumentKind.BIRTH_REGISTRATION,),
}
# The order in which documents come: a case obtaining one comes after those it needs.
_DOCUMENT_ORDER = (
    DocumentKind.BIRTH_REGISTRATION,
    DocumentKind.CITIZENSHIP,
    DocumentKind.RESIDENCE,
    DocumentKind.ID_CARD,
)


def block_reasons(checklist_id: str) -> tuple[str, ...]:
    return BLOCK_REASONS.get(checklist_id, OTHER_BLOCK_REASONS)


REFUSAL_REASONS = (
    "Nema dovoljno dokaza o mestu rođenja.",
    "Upisan u matične knjige na Kosovu.",
    "Nema dokaza o boravku na adresi centra za socijalni rad.",
)
DEMO_USERS = (
    ("Milica Facilitator", Role.FACILITATOR),
    ("Senad Coordinator", Role.COORDINATOR),
    ("Ana Trainee", Role.TRAINEE),
)


def default_demo_checklists() -> list[DemoChecklist]:
    """The shipped checklists, reduced to what the generator needs."""
    from docassist.procedures import load_all

    return [
        DemoChecklist(
            c.id,
            c.version,
            c.produces,
            tuple((s.key, s.typical_days) for s in c.steps),
            tuple(r.label.get("sr_Latn")[0] for r in c.refusal_reasons),
        )
        for c in load_all(extra_dirs=()).bundled()
    ]


class _Generator:
    def __init__(self, ctx: Context, seed: int, checklists: Sequence[DemoChecklist]) -> None:
        self.ctx = ctx
        self.rng = random.Random(seed)
        self.today = ctx.today()
        self.checklists = [c for c in checklists if c.steps]
        self.rows: dict[str, list[dict[str, Any]]] = {
            t: []
            for t in (
                "households",
                "persons",
                "documents",
                "cases",
                "case_steps",
                "case_events",
                "audit_log",
            )
        }
        self.user_ids: list[str] = []
        # who opens and follows cases: never a trainee (their practice stays apart)
        self.case_user_ids: list[str] = []
        self.documents_by_person: dict[tuple[str, str], dict[str, Any]] = {}
        self.household_given: set[str] = set()
        # household id -> the name keys of its members (of the rows not yet written)
        self.names_in_household: dict[str, set[str]] = {}

    # -- people --------------------------------------------------------------

    def birth(self, age_years: int) -> tuple[str, date]:
        """A birth date as a facilitator might have typed it: often partial."""
        born = self.today - timedelta(days=age_years * 365 + self.rng.randint(0, 364))
        r = self.rng.random()
        if r < 0.6:
            return born.strftime("%d.%m.%Y"), born
        if r < 0.8:
            return born.strftime("%m.%Y"), born
        if r < 0.95:
            return str(born.year), born
        return f"oko {born.year}", born

    def person(
        self,
        family: str,
        sex: Sex,
        age: int,
        relation: Relation,
        region: str,
        statuses: frozenset[PersonStatus],
    ) -> tuple[PersonInput, date]:
        names = FEMALE_NAMES if sex == Sex.FEMALE else MALE_NAMES
        # no two of one household share a given name (children get the family's name)
        free = [n for n in names if n not in self.household_given] or list(names)
        given = self.rng.choice(free)
        self.household_given.add(given)
        typed, born = self.birth(age)
        documents = self.documents(age)
        jmbg = ""
        registered = documents.get(DocumentKind.BIRTH_REGISTRATION) == DocumentState.HAVE
        # a full birth date usually means papers were seen, and with them the number
        share = 0.75 if len(typed) == 10 else 0.25
        if registered and born.year > 1950 and self.rng.random() < share:
            serial = self.rng.randint(0, 499) if sex == Sex.MALE else self.rng.randint(500, 999)
            jmbg = make_jmbg(born, region, serial)
        return (
            PersonInput(
                given_name=given,
                family_name=family,
                relation=relation,
                sex=sex,
                birth_date=typed,
                place_of_birth=self.rng.choice(list(PLACES)),
                jmbg=jmbg,
                statuses=statuses,
                documents=documents,
            ),
            born,
        )

    def phone(self) -> str:
        r = self.rng.randint
        return f"06{r(0, 9)} {r(100, 999)} {r(1000, 9999)}"

    def documents(self, age: int) -> dict[DocumentKind, DocumentState]:
        rng = self.rng
        docs: dict[DocumentKind, DocumentState] = {}
        registered = rng.random() > 0.06
        docs[DocumentKind.BIRTH_REGISTRATION] = (
            DocumentState.HAVE if registered else DocumentState.MISSING
        )
        if not registered:
            return docs
        docs[DocumentKind.CITIZENSHIP] = (
            DocumentState.HAVE if rng.random() > 0.08 else DocumentState.MISSING
        )
        docs[DocumentKind.RESIDENCE] = (
            DocumentState.HAVE if rng.random() > 0.12 else DocumentState.MISSING
        )
        if age >= 16:
            ok = all(
                docs[k] == DocumentState.HAVE
                for k in (DocumentKind.CITIZENSHIP, DocumentKind.RESIDENCE)
            )
            docs[DocumentKind.ID_CARD] = (
                DocumentState.HAVE if ok and rng.random() > 0.15 else DocumentState.MISSING
            )
        docs[DocumentKind.HEALTH_INSURANCE] = (
            DocumentState.HAVE if rng.random() > 0.2 else DocumentState.MISSING
        )
        return docs

    def household(self) -> None:
        rng, ctx = self.rng, self.ctx
        municipality = rng.choice(list(PLACES))
        region, settlements = PLACES[municipality]
        family = rng.choice(FAMILY_NAMES)
        cyrillic = rng.random() < 0.3  # some facilitators type in Cyrillic
        shown = script.lat_to_cyr(family) if cyrillic else family
        statuses: frozenset[PersonStatus] = frozenset()
        r = rng.random()
        if r < 0.15:
            statuses = frozenset({PersonStatus.IDP})
        elif r < 0.22:
            statuses = frozenset({PersonStatus.RETURNEE})
        elif r < 0.25:
            statuses = frozenset({PersonStatus.REFUGEE})
        else:
            statuses = frozenset({PersonStatus.DOMICILE})
        hid = new_id()
        now = ctx.now()
        settlement = rng.choice(settlements)
        self.rows["households"].append(
            {
                "id": hid,
                **household_columns(
                    HouseholdInput(
                        family_name=shown,
                        settlement=script.lat_to_cyr(settlement) if cyrillic else settlement,
                        municipality=municipality,
                        phone=self.phone(),
                        language=rng.choice(["rom", "rom", "sr", "sr_Latn"]),
                        consent_date=(self.today - timedelta(days=rng.randint(0, 900))).isoformat(),
                        consent_scope="case follow-up",
                    )
                ),
                "created_at": now,
                **ctx.stamp(),
            }
        )
        # about four people a household (int() truncates, hence 4.5): the
        # benchmark's 50,000 households then hold about 200,000 people
        size = min(9, max(1, int(rng.gauss(4.5, 2))))
        members: list[tuple[dict[str, Any], PersonInput, date]] = []
        self.household_given = set()
        mother_id = father_id = None
        mother_age = rng.randint(19, 55)
        plan: list[tuple[Sex, int, Relation]] = []
        if size == 1:
            plan.append((rng.choice([Sex.FEMALE, Sex.MALE]), rng.randint(18, 85), Relation.HEAD))
        else:
            plan.append((Sex.MALE, mother_age + rng.randint(-2, 8), Relation.HEAD))
            plan.append((Sex.FEMALE, mother_age, Relation.SPOUSE))
            for _ in range(size - 2):
                max_age = max(0, min(mother_age - 15, 30))
                plan.append(
                    (rng.choice([Sex.FEMALE, Sex.MALE]), rng.randint(0, max_age), Relation.CHILD)
                )
        for sex, age, relation in plan:
            inp, born = self.person(
                script.lat_to_cyr(family) if cyrillic else family,
                sex,
                max(age, 0),
                relation,
                region,
                statuses,
            )
            if cyrillic:
                inp.given_name = script.lat_to_cyr(inp.given_name)
            if relation == Relation.CHILD:
                inp.mother_id, inp.father_id = mother_id, father_id
            pid = new_id()
            prow = {"id": pid, "household_id": hid, **person_columns(inp, self.today, now)}
            self.rows["persons"].append({**prow, "created_at": now, **ctx.stamp()})
            self.names_in_household.setdefault(hid, set()).add(prow["name_key"])
            members.append((prow, inp, born))
            for kind, state in inp.documents.items():
                self._set_document(pid, kind, state, None)
            if relation == Relation.SPOUSE:
                mother_id = pid
            elif relation == Relation.HEAD and size > 1:
                father_id = pid
        self.rows["households"][-1]["search_text"] = household_search_text(
            family, [m[0] for m in members]
        )
        for prow, inp, born in members:
            self.cases_for(hid, prow["id"], inp, born)

    # -- cases ---------------------------------------------------------------

    def cases_for(self, household_id: str, person_id: str, person: PersonInput, born: date) -> None:
        # Most people met in the field need a paper or two; a household followed
        # for a year or more has about three cases (the benchmark's ~600,000
        # steps). Each checklist at most once per person, as open_case enforces.
        rng = self.rng
        held = {k for k, v in person.documents.items() if v == DocumentState.HAVE}
        missing = {k for k, v in person.documents.items() if v == DocumentState.MISSING}
        candidates = [c for c in self.checklists if c.produces in missing]
        if rng.random() < 0.5:
            extra = rng.choice(self.checklists)
            # not a second case for a document already held (open_case asks first)
            if extra not in candidates and extra.produces not in held:
                candidates.append(extra)
        # a document after those it needs: a birth registration before the citizenship
        rank = {kind: i for i, kind in enumerate(_DOCUMENT_ORDER)}
        candidates.sort(key=lambda c: rank.get(c.produces, len(rank)) if c.produces else 99)
        for checklist in candidates[:3]:
            if rng.random() < 0.55:
                self.case(household_id, person_id, checklist, born, held)

    def case(
        self,
        household_id: str,
        person_id: str,
        checklist: DemoChecklist,
        born: date,
        held: set[DocumentKind],
    ) -> None:
        """One case of ``checklist``; ``held`` (the person's documents) grows by what it
        obtains. Never opened before the person was born; "obtained" only when what
        the document needs is held."""
        rng, ctx = self.rng, self.ctx
        case_id = new_id()
        opened = self.today - timedelta(days=rng.randint(0, min(540, (self.today - born).days)))
        status = rng.choices(
            [CaseStatus.OPEN, CaseStatus.BLOCKED, CaseStatus.DONE, CaseStatus.CLOSED],
            weights=[5, 2, 3, 1],
        )[0]
        needs = REQUIRES.get(checklist.produces, ()) if checklist.produces else ()
        if status == CaseStatus.DONE and not set(needs) <= held:
            status = CaseStatus.BLOCKED  # waiting for what the document needs
        n = len(checklist.steps)
        reached = n if status in (CaseStatus.DONE,) else rng.randint(0, n - 1)
        step_day = opened
        next_due: str | None = None
        blocked_reason = (
            rng.choice(block_reasons(checklist.id)) if status == CaseStatus.BLOCKED else None
        )
        user_id = rng.choice(self.case_user_ids) if self.case_user_ids else None
        opened_at = opened.isoformat() + "T09:00:00+00:00"
        history = _CaseHistory(self, case_id, user_id)
        history.opened(opened_at, checklist, person_id, household_id)
        for position, (key, days) in enumerate(checklist.steps):
            due = done = None
            reason = None
            if position < reached:
                st = StepStatus.DONE if rng.random() > 0.1 else StepStatus.SKIPPED
                # offices take more or less than the typical time: durations vary
                took = max(1, round((days or 14) * rng.uniform(0.4, 2.5)))
                step_day = min(self.today, step_day + timedelta(days=took))
                done = step_day.isoformat() if st == StepStatus.DONE else None
                history.step(step_day, key, st, done_date=done)
            elif position == reached and is_active_case(status):
                st = StepStatus.BLOCKED if status == CaseStatus.BLOCKED else StepStatus.IN_PROGRESS
                reason = blocked_reason
                # around today: some overdue, most not yet (a due date far in
                # the past would make nearly every demo case overdue)
                due_on = max(step_day, self.today) + timedelta(days=rng.randint(-25, 40))
                due = next_due = max(due_on, step_day + timedelta(days=1)).isoformat()
                if st == StepStatus.BLOCKED:
                    history.step(step_day, key, st, reason=reason)
            else:
                st = StepStatus.TODO
            self.rows["case_steps"].append(
                {
                    "id": new_id(),
                    "case_id": case_id,
                    "step_key": key,
                    "position": position,
                    "status": st.value,
                    "typical_days": days,
                    "due_date": due,
                    "done_date": done,
                    "blocked_reason": reason,
                    "note": "",
                    **ctx.stamp(),
                }
            )
        outcome = outcome_reason = outcome_date = closed_at = None
        if status == CaseStatus.DONE:
            outcome, outcome_date = Outcome.OBTAINED.value, step_day.isoformat()
            closed_at = outcome_date + "T12:00:00+00:00"
        elif status == CaseStatus.CLOSED:
            outcome = rng.choice([Outcome.REFUSED, Outcome.ABANDONED]).value
            reasons = checklist.refusal_reasons or REFUSAL_REASONS
            outcome_reason = rng.choice(reasons) if outcome == "refused" else None
            outcome_date = step_day.isoformat()
            closed_at = outcome_date + "T12:00:00+00:00"
        self.rows["cases"].append(
            {
                "id": case_id,
                "person_id": person_id,
                "household_id": household_id,
                "checklist_id": checklist.id,
                "checklist_version": checklist.version,
                "produces": checklist.produces.value if checklist.produces else None,
                "status": status.value,
                "outcome": outcome,
                "outcome_date": outcome_date,
                "outcome_reason": outcome_reason,
                "blocked_reason": blocked_reason,
                "opened_at": opened_at,
                "opened_by": user_id,
                "assignee_id": user_id,
                "closed_at": closed_at,
                "next_due": next_due,
                **ctx.stamp(),
            }
        )
        if closed_at:
            history.closed(closed_at, self.rows["cases"][-1])
        if checklist.produces and status == CaseStatus.DONE:
            self._set_document(person_id, checklist.produces, DocumentState.HAVE, outcome_date)
            held.add(checklist.produces)

    def _set_document(
        self, person_id: str, kind: DocumentKind, state: DocumentState, on: str | None
    ) -> None:
        row = self.documents_by_person.get((person_id, kind.value))
        if row is None:
            row = {"id": new_id(), "person_id": person_id, "kind": kind.value, **self.ctx.stamp()}
            self.rows["documents"].append(row)
            self.documents_by_person[(person_id, kind.value)] = row
        row["state"], row["obtained_on"] = state.value, on

    def duplicate(self) -> None:
        """Register one person a second time, as a tired facilitator would."""
        persons = self.rows["persons"]
        if len(persons) < 2:
            return
        original = self.rng.choice(persons)
        copy = dict(original, id=new_id())
        if self.rng.random() < 0.5:  # typed in the other script this time
            copy["given_name"] = script.cyr_to_lat(copy["given_name"])
            copy["family_name"] = script.cyr_to_lat(copy["family_name"])
        # another household, and one without someone of that name already
        target = self.rng.choice(self.rows["households"])
        names = self.names_in_household.setdefault(target["id"], set())
        if target["id"] == original["household_id"] or copy["name_key"] in names:
            return
        names.add(copy["name_key"])
        copy["household_id"] = target["id"]
        copy["mother_id"] = copy["father_id"] = None
        persons.append(copy)
        target["search_text"] += " " + copy["name_key"]

    def flush(self, db: Database) -> None:
        for table, rows in self.rows.items():
            if rows and table == "audit_log":
                append_entries(db, rows)  # chained, like every audit entry
            elif rows:
                _insert_rows(db, table, rows)
            rows.clear()
        self.documents_by_person.clear()
        self.names_in_household.clear()


class _CaseHistory:
    """The audit entries and case events the use cases would have written, so a
    demo case's timeline tells its story (opened, steps done, blocked, closed)."""

    def __init__(self, gen: _Generator, case_id: str, user_id: str | None) -> None:
        self.gen, self.case_id, self.user_id = gen, case_id, user_id

    def _write(
        self,
        at: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        event: tuple[str, str | None, str | None, str | None, str | None],
    ) -> None:
        ctx, rows = self.gen.ctx, self.gen.rows
        rows["audit_log"].append(
            ctx.audit_row(action, "case", self.case_id, before, after, at=at, user_id=self.user_id)
        )
        kind, step_key, from_status, to_status, note = event
        rows["case_events"].append(
            {
                "id": new_id(),
                "case_id": self.case_id,
                "step_key": step_key,
                "kind": kind,
                "from_status": from_status,
                "to_status": to_status,
                "note": note,
                "at": at,
                "user_id": self.user_id,
                "device_id": ctx.device_id,
            }
        )

    def opened(self, at: str, checklist: DemoChecklist, person_id: str, household_id: str) -> None:
        after = {
            "id": self.case_id,
            "person_id": person_id,
            "household_id": household_id,
            "checklist_id": checklist.id,
            "checklist_version": checklist.version,
            "status": CaseStatus.OPEN.value,
            "opened_at": at,
            "opened_by": self.user_id,
            "steps": [key for key, _days in checklist.steps],
        }
        self._write(at, "open", None, after, ("opened", None, None, CaseStatus.OPEN.value, None))

    def step(
        self,
        on: date,
        key: str,
        status: StepStatus,
        *,
        done_date: str | None = None,
        reason: str | None = None,
    ) -> None:
        before = {"step": key, "status": StepStatus.IN_PROGRESS.value}
        after = {"step": key, "status": status.value, "done_date": done_date}
        if reason:
            after["blocked_reason"] = reason
        at = on.isoformat() + "T10:00:00+00:00"
        self._write(
            at, "step", before, after, ("step", key, before["status"], status.value, reason)
        )

    def closed(self, at: str, case: dict[str, Any]) -> None:
        after = {
            k: case[k] for k in ("status", "outcome", "outcome_date", "outcome_reason", "closed_at")
        }
        self._write(
            at,
            "close",
            {"status": CaseStatus.OPEN.value, "outcome": None},
            after,
            ("closed", None, CaseStatus.OPEN.value, case["status"], case["outcome_reason"]),
        )


def _insert_rows(db: Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Plain executemany: sqlite-utils' insert_all inspects every value (JSON,
    types), which took most of the demo build time for the benchmark's ~2
    million rows. The demo's rows are plain strings and numbers."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    db.conn.executemany(sql, [[row.get(c) for c in columns] for row in rows])


def generate(
    ctx: Context,
    *,
    households: int = 200,
    seed: int = 1,
    checklists: Sequence[DemoChecklist] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Fill ``ctx.db`` with made-up households, people, cases and workshops."""
    gen = _Generator(ctx, seed, checklists if checklists is not None else default_demo_checklists())
    with ctx.use_case():
        ctx.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(DEMO_KIND))
        # One hash for all: the demo users share the known demo passphrase, and each
        # hash costs a sign-in's time (accounts.PASSPHRASE_HASHER).
        demo_hash = accounts.hash_passphrase(DEMO_PASSPHRASE)
        for name, role in DEMO_USERS:
            uid = new_id()
            gen.user_ids.append(uid)
            if role != Role.TRAINEE:
                gen.case_user_ids.append(uid)
            ctx.db.table("users").insert(
                {
                    "id": uid,
                    "name": name,
                    "role": role.value,
                    "language": None,
                    "passphrase_hash": demo_hash,
                    "created_at": ctx.now(),
                    **ctx.stamp(),
                }
            )
        for i in range(households):
            gen.household()
            if gen.rng.random() < 0.03:
                gen.duplicate()
            if (i + 1) % 5000 == 0:
                gen.flush(ctx.db)
                if progress:
                    progress(i + 1)
        gen.flush(ctx.db)
        _workshops(ctx, gen)
        ctx.audit("generate", "demo", "demo", after={"households": households, "seed": seed})


def _workshops(ctx: Context, gen: _Generator) -> None:
    rng = gen.rng
    household_ids = [
        r[0]
        for r in ctx.db.execute("SELECT id FROM households ORDER BY rowid LIMIT 2000").fetchall()
    ]
    if not household_ids:
        return
    ids = [c.id for c in gen.checklists]
    for n in range(max(1, min(24, len(household_ids) // 8))):
        municipality = rng.choice(list(PLACES))
        wid = new_id()
        ctx.db.table("workshops").insert(
            {
                "id": wid,
                "held_on": (gen.today - timedelta(days=rng.randint(0, 365))).isoformat(),
                "place": f"Community centre {n + 1}",
                "municipality": municipality,
                "settlement": rng.choice(PLACES[municipality][1]),
                "facilitator_id": gen.user_ids[0] if gen.user_ids else None,
                "checklists": json.dumps(rng.sample(ids, min(2, len(ids)))),
                "languages": '["rom", "sr"]',
                "notes": "",
                "created_at": ctx.now(),
                **ctx.stamp(),
            }
        )
        for hid in rng.sample(household_ids, min(len(household_ids), rng.randint(4, 15))):
            ctx.db.table("attendance").insert(
                {"id": new_id(), "workshop_id": wid, "household_id": hid, **ctx.stamp()}
            )
