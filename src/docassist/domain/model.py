"""The words of the domain: statuses, roles, document kinds, institutions.

Each vocabulary is defined once here; the store keeps the enum values, the UI
shows the labels (English msgids, translated by the UI layer).
"""

from __future__ import annotations

from enum import StrEnum

from docassist.domain.text import N_


class Role(StrEnum):
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"
    TRAINEE = "trainee"
    ADMIN = "admin"


# Who works on the real register; trainees only ever open the practice register.
# One definition for the app's keys, the command line and the services
# (services/accounts.py says what each role may do).
REGISTER_ROLES: frozenset[Role] = frozenset({Role.FACILITATOR, Role.COORDINATOR, Role.ADMIN})


class Sex(StrEnum):
    FEMALE = "f"
    MALE = "m"
    UNKNOWN = "u"


class Relation(StrEnum):
    """A person's place in the household, relative to its head."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    OTHER = "other"


class CaseStatus(StrEnum):
    OPEN = "open"
    BLOCKED = "blocked"
    DONE = "done"
    CLOSED = "closed"


# The one definition of an active case: one with work still to do, counted as open
# on the dashboard, in the register and in reports, whose steps may still change and
# of which a person may have only one per checklist. The status alone decides it,
# not the outcome: close_case() writes the outcome together with the status done or
# closed, and reopen_case() clears the outcome as it sets the status open again, so
# in what the app writes the two never disagree. Where they do (a row edited by hand
# or copied in from elsewhere, open with an outcome), the status is what every count,
# every guard and the partial indexes of migration 0003 go by; a plan that also asked
# for "no outcome" called such a case finished and offered to start again, which
# open_case() then refused as a second open case. store.cases.active_case_sql() is
# the same rule in SQL.
ACTIVE_CASE_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.OPEN, CaseStatus.BLOCKED)


def is_active_case(status: CaseStatus | str) -> bool:
    """Whether a case with this status still has work to do (see ACTIVE_CASE_STATUSES)."""
    return status in ACTIVE_CASE_STATUSES


class StepStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"
    BLOCKED = "blocked"


class Outcome(StrEnum):
    OBTAINED = "obtained"
    REFUSED = "refused"
    ABANDONED = "abandoned"


class DocumentKind(StrEnum):
    """The documents a case can produce and a person can hold."""

    BIRTH_REGISTRATION = "birth_registration"
    CITIZENSHIP = "citizenship"
    RESIDENCE = "residence"
    ID_CARD = "id_card"
    HEALTH_INSURANCE = "health_insurance"
    IDP_CARD = "idp_card"
    TRAVEL_DOCUMENT = "travel_document"
    # the health fund's certificate (potvrda) issued until the card arrives, a month
    # at most (domain.md §5): proof of insurance meanwhile, with a validity of its own
    HEALTH_CERTIFICATE = "health_certificate"


# What proves the right a document stands for, where the next-step rules ask whether a
# person has it (a procedure "for whoever lacks" it, a procedure done, a prerequisite
# met): health insurance is proved by the fund's card, or until the card arrives by its
# certificate (potvrda, domain.md §5). Any other kind is proved by itself alone. Past
# its "valid until" a proof counts for nothing (domain/validity.held).
PROVED_BY: dict[DocumentKind, tuple[DocumentKind, ...]] = {
    DocumentKind.HEALTH_INSURANCE: (DocumentKind.HEALTH_INSURANCE, DocumentKind.HEALTH_CERTIFICATE),
}


def proofs_of(kind: DocumentKind) -> tuple[DocumentKind, ...]:
    """The documents any one of which proves what ``kind`` stands for."""
    return PROVED_BY.get(kind, (kind,))


class DocumentState(StrEnum):
    HAVE = "have"
    IN_PROGRESS = "in_progress"
    MISSING = "missing"
    UNKNOWN = "unknown"


class PersonStatus(StrEnum):
    """Displacement status flags; a person may carry several."""

    DOMICILE = "domicile"
    IDP = "idp"
    REFUGEE = "refugee"
    RETURNEE = "returnee"


class Institution(StrEnum):
    REGISTRY_OFFICE = "registry_office"
    BASIC_COURT = "basic_court"
    POLICE = "police"
    SOCIAL_WORK_CENTRE = "social_work_centre"
    HEALTH_FUND = "health_fund"
    EMPLOYMENT_SERVICE = "employment_service"
    COMMISSARIAT = "commissariat"
    REFUGEE_TRUSTEE = "refugee_trustee"
    SCHOOL = "school"
    LEGAL_AID = "legal_aid"


ROLE_LABELS: dict[Role, str] = {
    Role.FACILITATOR: N_("Facilitator"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.TRAINEE: N_("Trainee"),
    Role.ADMIN: N_("Administrator"),
}

SEX_LABELS: dict[Sex, str] = {
    Sex.FEMALE: N_("Female"),
    Sex.MALE: N_("Male"),
    Sex.UNKNOWN: N_("Not known"),
}

RELATION_LABELS: dict[Relation, str] = {
    Relation.HEAD: N_("Head of household"),
    Relation.SPOUSE: N_("Spouse or partner"),
    Relation.CHILD: N_("Child"),
    Relation.PARENT: N_("Parent"),
    Relation.SIBLING: N_("Brother or sister"),
    Relation.GRANDCHILD: N_("Grandchild"),
    Relation.OTHER: N_("Other relative"),
}

CASE_STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.OPEN: N_("Open"),
    CaseStatus.BLOCKED: N_("Blocked"),
    CaseStatus.DONE: N_("Done"),
    CaseStatus.CLOSED: N_("Closed"),
}

STEP_STATUS_LABELS: dict[StepStatus, str] = {
    StepStatus.TODO: N_("To do"),
    StepStatus.IN_PROGRESS: N_("In progress"),
    StepStatus.DONE: N_("Done"),
    StepStatus.SKIPPED: N_("Skipped"),
    StepStatus.BLOCKED: N_("Blocked"),
}

OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.OBTAINED: N_("Document obtained"),
    Outcome.REFUSED: N_("Refused"),
    Outcome.ABANDONED: N_("Abandoned"),
}

DOCUMENT_LABELS: dict[DocumentKind, str] = {
    DocumentKind.BIRTH_REGISTRATION: N_("Birth registration"),
    DocumentKind.CITIZENSHIP: N_("Citizenship certificate"),
    DocumentKind.RESIDENCE: N_("Registered residence"),
    DocumentKind.ID_CARD: N_("ID card"),
    DocumentKind.HEALTH_INSURANCE: N_("Health insurance card"),
    DocumentKind.IDP_CARD: N_("Displaced person's card"),
    DocumentKind.TRAVEL_DOCUMENT: N_("Emergency travel document"),
    DocumentKind.HEALTH_CERTIFICATE: N_("Health insurance certificate (until the card)"),
}

DOCUMENT_STATE_LABELS: dict[DocumentState, str] = {
    DocumentState.HAVE: N_("Has it"),
    DocumentState.IN_PROGRESS: N_("In progress"),
    DocumentState.MISSING: N_("Missing"),
    DocumentState.UNKNOWN: N_("Not known"),
}

PERSON_STATUS_LABELS: dict[PersonStatus, str] = {
    PersonStatus.DOMICILE: N_("Domicile"),
    PersonStatus.IDP: N_("Internally displaced"),
    PersonStatus.REFUGEE: N_("Refugee"),
    PersonStatus.RETURNEE: N_("Returnee"),
}

INSTITUTION_LABELS: dict[Institution, str] = {
    Institution.REGISTRY_OFFICE: N_("Registry office"),
    Institution.BASIC_COURT: N_("Basic court"),
    Institution.POLICE: N_("Police administration"),
    Institution.SOCIAL_WORK_CENTRE: N_("Centre for Social Work"),
    Institution.HEALTH_FUND: N_("Health Insurance Fund branch"),
    Institution.EMPLOYMENT_SERVICE: N_("National Employment Service"),
    Institution.COMMISSARIAT: N_("Commissariat for Refugees and Migration"),
    Institution.REFUGEE_TRUSTEE: N_("Municipal refugee trustee"),
    Institution.SCHOOL: N_("School"),
    Institution.LEGAL_AID: N_("Municipal legal aid service"),
}
