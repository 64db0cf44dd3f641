"""The rules about cases that queries spell in SQL, written once."""

from __future__ import annotations

from docassist.domain.model import ACTIVE_CASE_STATUSES


def active_case_sql(alias: str | None = "c") -> str:
    """The SQL condition for an active case (domain.model.is_active_case).

    Spelled as the WHERE of the partial indexes ``cases_active_place`` and
    ``cases_active_due`` (migration 0003): SQLite uses a partial index only when
    the query holds that term as written, the same values in the same order.
    ``alias`` is the table's name or alias in the query, None for a bare column.
    A voided case (migration 0016) is closed, so this keeps it out with no more terms.
    """
    column = f"{alias}.status" if alias else "status"
    values = ",".join(f"'{status.value}'" for status in ACTIVE_CASE_STATUSES)
    return f"{column} IN ({values})"
