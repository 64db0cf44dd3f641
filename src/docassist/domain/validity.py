"""How long a document stays valid, and what an expired one counts as.

The validities domain.md gives (they propose a "valid until" date; the date printed on
the document, once typed, is what counts):

- emergency travel document (putni list): up to 3 months (§6);
- ID card: 10 years; a child's 5 years; 2 years for a citizen with no registered
  residence in Serbia (§4, the 2011 amendment);
- health insurance card: 10 years from issue (§5);
- the fund's certificate (potvrda) issued until the card arrives: valid until the card
  is delivered, and a month at most (§5). A kind of its own, so its month runs out
  on the dashboard while the card's ten years are proposed for the card.

Other documents (a birth registration, a citizenship certificate, a registered
residence, a displaced person's card) have no validity in domain.md: nothing is
proposed, and a date typed by hand is kept.

From its "valid until" date on, a document counts as not held (for the next-step rules,
the reports and the family plan): it must be renewed.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from docassist.domain.model import DocumentKind, DocumentState

ID_CARD_YEARS = 10
CHILD_ID_CARD_YEARS = 5
NO_RESIDENCE_ID_CARD_YEARS = 2
TRAVEL_DOCUMENT_MONTHS = 3
HEALTH_CERTIFICATE_MONTHS = 1
HEALTH_CARD_YEARS = 10
ADULT_AGE = 18  # a "child's" card: under 18 on the day of issue

# The dashboard's "expires soon" list: a month ahead, time enough to book the police.
EXPIRES_SOON_DAYS = 30

# The kinds domain.md gives a validity for: the form offers a "valid until" for these.
WITH_VALIDITY = (
    DocumentKind.ID_CARD,
    DocumentKind.TRAVEL_DOCUMENT,
    DocumentKind.HEALTH_INSURANCE,
    DocumentKind.HEALTH_CERTIFICATE,
)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def proposed_valid_until(
    kind: DocumentKind,
    issued_on: date,
    *,
    age: int | None = None,
    has_residence: bool = True,
) -> date | None:
    """The last day ``kind`` issued on ``issued_on`` is valid, where domain.md says.

    ``age``: the holder's age on the day of issue (None: not known, taken as an
    adult); ``has_residence``: a registered residence in Serbia.
    """
    if kind == DocumentKind.TRAVEL_DOCUMENT:
        return add_months(issued_on, TRAVEL_DOCUMENT_MONTHS) - timedelta(days=1)
    if kind == DocumentKind.HEALTH_INSURANCE:
        return add_months(issued_on, 12 * HEALTH_CARD_YEARS) - timedelta(days=1)
    if kind == DocumentKind.HEALTH_CERTIFICATE:
        return add_months(issued_on, HEALTH_CERTIFICATE_MONTHS) - timedelta(days=1)
    if kind == DocumentKind.ID_CARD:
        if not has_residence:
            years = NO_RESIDENCE_ID_CARD_YEARS
        elif age is not None and age < ADULT_AGE:
            years = CHILD_ID_CARD_YEARS
        else:
            years = ID_CARD_YEARS
        return add_months(issued_on, 12 * years) - timedelta(days=1)
    return None


def is_expired(valid_until: date | None, today: date) -> bool:
    """Valid through its last day; expired from the day after."""
    return valid_until is not None and valid_until < today


def expires_soon(valid_until: date | None, today: date, days: int = EXPIRES_SOON_DAYS) -> bool:
    return valid_until is not None and today <= valid_until <= today + timedelta(days=days)


def held(
    documents: dict[DocumentKind, DocumentState],
    valid_until: dict[DocumentKind, date],
    today: date,
) -> dict[DocumentKind, DocumentState]:
    """The documents as the rules count them: one held past its validity is missing."""
    out = dict(documents)
    for kind, until in valid_until.items():
        if out.get(kind) == DocumentState.HAVE and is_expired(until, today):
            out[kind] = DocumentState.MISSING
    return out
