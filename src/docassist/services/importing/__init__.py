"""Bring in households from the spreadsheets organisations already keep.

Three steps, each usable on its own by the CLI and the TUI (this package's modules
follow them: ``reading`` and ``fields``; ``rows``, ``checker`` and ``dry_run``;
``apply``; ``report`` says the findings in words):

1. ``open_table`` reads the header of a CSV or XLSX file and ``guess_mapping`` says
   which column holds which field (headers in English, Serbian in either script, or
   Romani); the caller may change that mapping.
2. ``check_import`` is the dry run: every row is checked the way the household forms
   check typed input, and every bad row is reported with its line and reason. Nothing
   is written.
3. ``apply_import`` writes the rows that passed, in one transaction, through the
   households use cases, so each household and each person gets its own audit entry.

Decisions worth knowing:

- A row whose JMBG is already in the register (or on an earlier row of the file) is an
  error, never written: a JMBG belongs to one person, so it is the same person, and a
  second record would split their case history.
- A row that only *looks* like someone already known (same name and year of birth, as
  someone registered or on an earlier row) is not an error, as in the person form:
  namesakes are common in Roma settlements. But it is left out unless the caller asks
  to keep likely duplicates: importing the same list twice (easily done at the end of
  a long day) must not register every family again. The dry run lists each one.
- Rows are streamed, never loaded all at once. What is kept per row is small (a line
  number and a few duplicate keys), and files above ``MAX_ROWS`` are refused with a
  clear message, so memory stays bounded however big the file is.
- Households come from a household key column: rows with the same key are one family.
  A row without a key (or with no key column at all) is a household of its own. The
  family name, settlement, address, municipality and phone of a household are taken
  from its first imported row that has them.
- Consent: a household is recorded with the date the family agreed only when a consent
  column gives one. Without it the household screen asks for it, as for any household
  whose agreement is not recorded.
"""

from docassist.services.importing.apply import ImportedHousehold, ImportResult, apply_import
from docassist.services.importing.dry_run import MAX_ROWS, check_import
from docassist.services.importing.fields import (
    COLUMNS_SHOWN,
    FIELD_KEYS,
    FIELDS,
    ImportField,
    check_mapping,
    column_list,
    column_names,
    field_label,
    guess_mapping,
    resolve_overrides,
)
from docassist.services.importing.plan import HouseholdPlan, ImportPlan
from docassist.services.importing.problems import (
    SHOWN_CHARS,
    ImportFileError,
    RowProblem,
    short,
)
from docassist.services.importing.reading import (
    HEADER_SEARCH_ROWS,
    Table,
    open_table,
    read_headers,
)
from docassist.services.importing.report import (
    households_text,
    left_out,
    people_text,
    problem_text,
    summary_lines,
)
from docassist.services.importing.rows import describe, person_input

__all__ = [
    "COLUMNS_SHOWN",
    "FIELDS",
    "FIELD_KEYS",
    "HEADER_SEARCH_ROWS",
    "MAX_ROWS",
    "SHOWN_CHARS",
    "HouseholdPlan",
    "ImportField",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "ImportedHousehold",
    "RowProblem",
    "Table",
    "apply_import",
    "check_import",
    "check_mapping",
    "column_list",
    "column_names",
    "describe",
    "field_label",
    "guess_mapping",
    "households_text",
    "left_out",
    "open_table",
    "people_text",
    "person_input",
    "problem_text",
    "read_headers",
    "resolve_overrides",
    "short",
    "summary_lines",
]
