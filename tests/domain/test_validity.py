"""How long documents stay valid (domain.md §4, §5, §6) and when one counts as not held."""

from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import DocumentKind, DocumentState
from docassist.domain.validity import (
    WITH_VALIDITY,
    add_months,
    expires_soon,
    held,
    is_expired,
    proposed_valid_until,
)

K, S = DocumentKind, DocumentState
ISSUED = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("kind", "age", "residence", "until"),
    [
        (K.ID_CARD, 30, True, date(2036, 11, 22)),  # 10 years
        (K.ID_CARD, None, True, date(2036, 11, 22)),  # age not known: an adult's card
        (K.ID_CARD, 12, True, date(2031, 11, 22)),  # a child's: 5 years
        (K.ID_CARD, 17, True, date(2031, 11, 22)),
        (K.ID_CARD, 18, True, date(2036, 11, 22)),
        (K.ID_CARD, 30, False, date(2028, 11, 22)),  # no registered residence: 2 years
        (K.ID_CARD, 12, False, date(2028, 11, 22)),
        (K.TRAVEL_DOCUMENT, 30, True, date(2027, 2, 22)),  # 3 months
        (K.HEALTH_INSURANCE, 30, True, date(2036, 11, 22)),  # the card: 10 years
        (K.HEALTH_CERTIFICATE, 30, True, date(2026, 12, 22)),  # the fund's potvrda: a month
        (K.HEALTH_CERTIFICATE, 4, False, date(2026, 12, 22)),
    ],
)
def test_the_validity_domain_md_gives(kind, age, residence, until):
    assert proposed_valid_until(kind, ISSUED, age=age, has_residence=residence) == until


@pytest.mark.parametrize("kind", [K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE, K.IDP_CARD])
def test_documents_without_a_validity_get_no_proposal(kind):
    assert proposed_valid_until(kind, ISSUED) is None
    assert kind not in WITH_VALIDITY


def test_months_end_on_the_last_day_of_a_shorter_month():
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 12) == date(2027, 1, 31)
    # a putni list issued on 30 November runs to the end of February
    assert proposed_valid_until(K.TRAVEL_DOCUMENT, date(2026, 11, 30)) == date(2027, 2, 27)


def test_the_health_certificate_runs_out_after_a_month_and_counts_as_not_held():
    assert K.HEALTH_CERTIFICATE in WITH_VALIDITY
    # issued on 31 January: to the end of February, not into March
    assert proposed_valid_until(K.HEALTH_CERTIFICATE, date(2027, 1, 31)) == date(2027, 2, 27)
    until = proposed_valid_until(K.HEALTH_CERTIFICATE, ISSUED)
    assert until is not None
    documents = {K.HEALTH_CERTIFICATE: S.HAVE}
    assert (
        held(documents, {K.HEALTH_CERTIFICATE: until}, date(2026, 12, 22))[K.HEALTH_CERTIFICATE]
        == S.HAVE
    )
    assert (
        held(documents, {K.HEALTH_CERTIFICATE: until}, date(2026, 12, 23))[K.HEALTH_CERTIFICATE]
        == S.MISSING
    )


def test_valid_through_its_last_day():
    last = date(2026, 11, 23)
    assert not is_expired(last, date(2026, 11, 23))
    assert is_expired(last, date(2026, 11, 24))
    assert not is_expired(None, date(2026, 11, 24))


def test_expires_soon_is_the_next_30_days():
    today = date(2026, 11, 23)
    assert expires_soon(today, today)
    assert expires_soon(date(2026, 12, 23), today)
    assert not expires_soon(date(2026, 12, 24), today)
    assert not expires_soon(date(2026, 11, 22), today)  # already expired: another list


def test_an_expired_document_held_counts_as_missing():
    documents = {K.ID_CARD: S.HAVE, K.TRAVEL_DOCUMENT: S.HAVE, K.HEALTH_INSURANCE: S.MISSING}
    valid = {
        K.ID_CARD: date(2026, 11, 22),
        K.TRAVEL_DOCUMENT: date(2026, 12, 1),
        K.HEALTH_INSURANCE: date(2020, 1, 1),
    }
    assert held(documents, valid, date(2026, 11, 23)) == {
        K.ID_CARD: S.MISSING,
        K.TRAVEL_DOCUMENT: S.HAVE,
        K.HEALTH_INSURANCE: S.MISSING,
    }
    assert documents[K.ID_CARD] == S.HAVE  # the record itself is left as it is
