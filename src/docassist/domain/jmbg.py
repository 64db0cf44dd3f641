"""The JMBG, the 13-digit personal number (domain.md §7).

Layout ``DD MM YYY RR BBB K``: birth date, registration area, serial (000-499 male,
500-999 female) and a check digit. The check exists to catch typing mistakes, so an
problem names the digits to look at again. A number printed on a real document is never
blocked on a doubt: odd region codes, the disputed check-digit case and a check digit
that does not match are warnings (some real numbers were issued with invalid check
digits). Only a number that cannot be one (not 13 digits, letters, a date that does not
exist or lies in the future) is an error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from docassist.domain.model import Sex
from docassist.domain.text import N_, Problem

__all__ = [
    "REGIONS",
    "JmbgCheck",
    "check_digit",
    "check_jmbg",
    "make_jmbg",
]

_WEIGHTS = (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

#: Registration areas in Serbia (Law 24/2018, Art. 5), as transcribed in domain.md §7.3.
REGIONS: dict[str, str] = {
    "70": "Diplomatsko-konzularna predstavništva",
    "71": "Beograd",
    "72": "Aranđelovac, Batočina, Despotovac, Jagodina, Knić, Kragujevac, Lapovo, Paraćin, "
    "Rača, Rekovac, Svilajnac, Topola, Ćuprija",
    "73": "Aleksinac, Babušnica, Bela Palanka, Blace, Dimitrovgrad, Doljevac, Gadžin Han, "
    "Kuršumlija, Merošina, Niš, Niška Banja, Pirot, Prokuplje, Ražanj, Svrljig, Žitorađa",
    "74": "Bojnik, Bosilegrad, Bujanovac, Crna Trava, Lebane, Leskovac, Medveđa, Preševo, "
    "Surdulica, Trgovište, Vladičin Han, Vlasotince, Vranje",
    "75": "Boljevac, Bor, Kladovo, Knjaževac, Majdanpek, Negotin, Soko Banja, Zaječar",
    "76": "Golubac, Kučevo, Malo Crniće, Petrovac na Mlavi, Požarevac, Smederevo, "
    "Smed. Palanka, Velika Plana, Veliko Gradište, Žabari, Žagubica",
    "77": "Bogatić, Koceljeva, Krupanj, Lajkovac, Loznica, Ljig, Ljubovija, Mali Zvornik, "
    "Mionica, Osečina, Ub, Valjevo, Vladimirci, Šabac",
    "78": "Aleksandrovac, Brus, Gornji Milanovac, Kraljevo, Kruševac, Lučani, Novi Pazar, "
    "Raška, Sjenica, Trstenik, Tutin, Varvarin, Vrnjačka Banja, Ćićevac, Čačak",
    "79": "Arilje, Bajina Bašta, Ivanjica, Kosjerić, Nova Varoš, Požega, Priboj, Prijepolje, "
    "Užice, Čajetina",
    "80": "Bač, Bačka Palanka, Bački Petrovac, Beočin, Novi Sad, Sremski Karlovci, Temerin, "
    "Titel, Žabalj",
    "81": "Apatin, Odžaci, Sombor",
    "82": "Ada, Bačka Topola, Kanjiža, Kula, Mali Iđoš, Senta, Subotica",
    "83": "Bečej, Srbobran, Vrbas",
    "84": "Kikinda, Nova Crnja, Novi Kneževac, Čoka",
    "85": "Novi Bečej, Sečanj, Zrenjanin, Žitište",
    "86": "Alibunar, Kovačica, Kovin, Opovo, Pančevo",
    "87": "Bela Crkva, Plandište, Vršac",
    "88": "Inđija, Irig, Pećinci, Ruma, Stara Pazova",
    "89": "Sremska Mitrovica, Šid",
    "91": "Glogovac, Kosovo Polje, Lipljan, Novo Brdo, Obilić, Podujevo, Priština",
    "92": "Kosovska Mitrovica, Leposavić, Srbica, Vučitrn, Zubin Potok, Zvečan",
    "93": "Dečani, Istok, Klina, Peć",
    "94": "Đakovica",
    "95": "Dragaš, Gora, Mališevo, Opolje, Orahovac, Prizren, Suva Reka",
    "96": "Kačanik, Uroševac, Štimlje, Štrpce",
    "97": "Gnjilane, Kosovska Kamenica, Vitina",
}

_CONSULAR = "70"


@dataclass(frozen=True)
class _Range:
    kind: str
    label: str
    # A whole sentence per range: Serbian needs the locative ("u Hrvatskoj"), which a
    # country name substituted into one shared sentence could not give.
    warning: str


_EX_YU_RANGES: tuple[tuple[range, _Range], ...] = (
    (
        range(10, 20),
        _Range(
            "ex_yugoslavia",
            N_("Bosnia and Herzegovina"),
            N_(
                "This number was issued in Bosnia and Herzegovina (region {code}). Refugees "
                "often hold such numbers: note it, but it is still the person's number."
            ),
        ),
    ),
    (
        range(20, 30),
        _Range(
            "ex_yugoslavia",
            N_("Montenegro"),
            N_(
                "This number was issued in Montenegro (region {code}). Refugees often hold "
                "such numbers: note it, but it is still the person's number."
            ),
        ),
    ),
    (
        range(30, 40),
        _Range(
            "ex_yugoslavia",
            N_("Croatia"),
            N_(
                "This number was issued in Croatia (region {code}). Refugees often hold such "
                "numbers: note it, but it is still the person's number."
            ),
        ),
    ),
    (
        range(41, 50),
        _Range(
            "ex_yugoslavia",
            N_("North Macedonia"),
            N_(
                "This number was issued in North Macedonia (region {code}). Refugees often "
                "hold such numbers: note it, but it is still the person's number."
            ),
        ),
    ),
    (
        range(50, 51),
        _Range(
            "ex_yugoslavia",
            N_("Slovenia"),
            N_(
                "This number was issued in Slovenia (region {code}). Refugees often hold such "
                "numbers: note it, but it is still the person's number."
            ),
        ),
    ),
)

_FOREIGNER_WARNING = N_(
    "Region {code} is used for foreign citizens: the person was a foreigner when the "
    "number was given. Check their citizenship."
)
_FOREIGN_LABELS: dict[str, str] = {
    "07": N_("Foreign citizen, Serbia without the provinces"),
    "08": N_("Foreign citizen, Vojvodina"),
    "09": N_("Foreign citizen, Kosovo"),
}
_FOREIGN_LABEL_OTHER = N_("Foreign citizen")
_SERBIA_LABEL = N_("Serbia: {area}")
_CONSULAR_LABEL = N_("Serbia: registered at an embassy or consulate abroad")
_UNKNOWN_LABEL = N_("Unknown region {code}")


@dataclass(frozen=True)
class JmbgCheck:
    """What a typed JMBG says and what is wrong with it.

    ``number`` is the typed text without separators; it is 13 digits whenever the
    date, region and sex could be decoded. The decoded fields are filled whenever the
    digits allow, even when there are problems, so the form can show "born 12.05.1987,
    male, Beograd" next to the error.
    ``region_label`` is an English msgid; translate it, then format it with
    ``region_params`` (or call ``render_region``).
    """

    number: str
    birth_date: date | None = None
    region_code: str | None = None
    region_kind: str | None = None  # "serbia", "ex_yugoslavia", "foreign", "unknown"
    region_label: str | None = None
    sex: Sex | None = None
    problems: tuple[Problem, ...] = ()
    region_area: str | None = None  # Serbian Latin place names from REGIONS, for {area}

    @property
    def is_valid(self) -> bool:
        """No problem that blocks saving; warnings may remain."""
        return not any(p.is_error for p in self.problems)

    @property
    def is_sound(self) -> bool:
        """Valid, and its check digit agrees with the rest: a number that tells one
        person from another. A wrong check digit is only a warning when typed, but it
        may be a typing mistake for someone else's number."""
        return self.is_valid and all(p.code != "jmbg.check_digit" for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def region_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.region_code is not None:
            params["code"] = self.region_code
        if self.region_area is not None:
            params["area"] = self.region_area
        return params

    def render_region(self, translate: Callable[[str], str] = lambda s: s) -> str | None:
        """The region label in the language of ``translate``."""
        if self.region_label is None:
            return None
        return translate(self.region_label).format(**self.region_params)


def check_digit(first12: str) -> int | None:
    """The 13th digit for the first 12, or None when the remainder is 1.

    With remainder 1 the formula gives 10, which is not a digit; sources disagree
    whether such numbers exist (domain.md §7.2). ``check_jmbg`` accepts 0 there with a
    warning.
    """
    if len(first12) != 12 or not all(c in "0123456789" for c in first12):
        raise ValueError(f"expected 12 digits, got {first12!r}")
    remainder = sum(w * int(c) for w, c in zip(_WEIGHTS, first12, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def make_jmbg(day: date, region: str, serial: int) -> str:
    """A valid JMBG for a birth date, a two-digit region and a serial (000-999).

    If the serial would give the disputed remainder-1 check value, the next serial of
    the same sex is used instead (wrapping within 000-499 or 500-999), so every number
    made here passes ``check_jmbg`` without warnings about its check digit.
    """
    if len(region) != 2 or not region.isascii() or not region.isdigit():
        raise ValueError(f"region must be two digits, not {region!r}")
    if not 0 <= serial <= 999:
        raise ValueError(f"serial must be 0-999, not {serial}")
    if not 1800 <= day.year <= 2799:
        # YYY keeps three digits of the year; the decoder reads 800-999 as 1800-1999.
        raise ValueError(f"a JMBG can only encode years 1800-2799, not {day.year}")
    half = 0 if serial < 500 else 500
    for step in range(500):
        candidate = half + (serial - half + step) % 500
        first12 = f"{day:%d%m}{day.year % 1000:03d}{region}{candidate:03d}"
        k = check_digit(first12)
        if k is not None:
            return first12 + str(k)
    raise AssertionError("unreachable: consecutive serials cannot all give remainder 1")


def _normalise(text: str) -> str:
    # NFKC turns full-width digits into ASCII ones; separators people type between
    # digit groups (spaces, dashes, dots) are dropped.
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not (c.isspace() or c in "-‐‑‒–—."))


def _region(code: str) -> tuple[str, str, str | None, Problem | None]:
    """(kind, label msgid, area, warning) for a two-digit region code."""
    if code == _CONSULAR:
        return "serbia", _CONSULAR_LABEL, REGIONS[code], None
    if code in REGIONS:
        return "serbia", _SERBIA_LABEL, REGIONS[code], None
    n = int(code)
    for numbers, info in _EX_YU_RANGES:
        if n in numbers:
            return info.kind, info.label, None, _warning("jmbg.region_ex_yu", info.warning, code)
    if 1 <= n <= 9:
        label = _FOREIGN_LABELS.get(code, _FOREIGN_LABEL_OTHER)
        return "foreign", label, None, _warning("jmbg.region_foreign", _FOREIGNER_WARNING, code)
    message = N_(
        "Digits 8 and 9 give region {code}, which no registry uses as far as we know. "
        "Check those two digits against the ID card."
    )
    return "unknown", _UNKNOWN_LABEL, None, _warning("jmbg.region_unknown", message, code)


def _warning(code: str, message: str, region: str) -> Problem:
    return Problem(code, message, {"code": region}, severity="warning")


def _not_digit(number: str) -> Problem:
    position, char = next((i, c) for i, c in enumerate(number, 1) if c not in "0123456789")
    params = {"char": char, "position": position}
    # The letters that look like 0 and 1 are the usual culprits, Latin and Cyrillic alike.
    if char in "OoОо":
        message = N_("Place {position} has the letter '{char}': type the digit 0 (zero).")
    elif char in "lI|іІ":
        message = N_("Place {position} has the letter '{char}': type the digit 1 (one).")
    else:
        message = N_(
            "'{char}' (place {position}) is not a digit. A JMBG has only the digits 0 to 9."
        )
    return Problem("jmbg.not_digits", message, params)


def _decode_date(number: str) -> tuple[date | None, Problem | None]:
    day, month, yyy = int(number[0:2]), int(number[2:4]), int(number[4:7])
    year = 2000 + yyy if yyy < 800 else 1000 + yyy
    params = {"day": number[0:2], "month": number[2:4], "year": year}
    if not 1 <= month <= 12:
        message = N_(
            "Digits 3 and 4 give month {month}, but there are only 12 months. Check them "
            "against the ID card."
        )
        return None, Problem("jmbg.bad_date", message, params)
    try:
        return date(year, month, day), None
    except ValueError:
        message = N_(
            "Digits 1 to 4 give the day {day}.{month}., which does not exist in {year}. "
            "Check them against the ID card."
        )
        return None, Problem("jmbg.bad_date", message, params)


def check_jmbg(
    text: str,
    *,
    birth_date: date | None = None,
    birth_year: int | None = None,
    sex: Sex | None = None,
    today: date,
) -> JmbgCheck:
    """Check a typed JMBG and compare it with what the record already says.

    ``birth_date``, ``birth_year`` and ``sex`` are the person's recorded values; a
    disagreement is a warning, because either side may be the wrong one. When both
    date and year are given, the date is compared. ``today`` is the caller's clock: a
    number dated after it is refused.
    """
    number = _normalise(text)
    if not number:
        message = N_("Type the 13 digits of the personal number (JMBG).")
        return JmbgCheck(number, problems=(Problem("jmbg.empty", message),))
    if any(c not in "0123456789" for c in number):
        return JmbgCheck(number, problems=(_not_digit(number),))
    if len(number) != 13:
        message = N_(
            "A JMBG has 13 digits, but this one has {count}. Look for a missing or extra digit."
        )
        problem = Problem("jmbg.length", message, {"count": len(number)})
        return JmbgCheck(number, problems=(problem,))

    problems: list[Problem] = []
    decoded, date_problem = _decode_date(number)
    if date_problem is not None:
        problems.append(date_problem)
    elif decoded is not None and decoded > today:
        message = N_(
            "The number gives a birth date in the future ({date}). Check digits 1 to 7 "
            "against the ID card."
        )
        problems.append(Problem("jmbg.future", message, {"date": decoded}))

    expected, actual = check_digit(number[:12]), int(number[12])
    if expected is None and actual == 0:
        message = N_(
            "The last digit cannot be checked the usual way for this number, and 0 is the "
            "accepted choice. Such numbers exist on real documents, but an office may "
            "question it: check each digit against the ID card."
        )
        problems.append(Problem("jmbg.check_remainder_1", message, severity="warning"))
    elif actual != (0 if expected is None else expected):
        # A warning, not an error: typing mistakes are common, but some real numbers
        # were issued with invalid check digits, and a document is never hard-blocked
        # on its checksum (domain.md §7.2). The message says what to compare.
        message = N_(
            "The last digit does not match the others (it should be {expected}, not "
            "{actual}): check the number against the document. If the document really "
            "has this number, save it."
        )
        params = {"expected": 0 if expected is None else expected, "actual": actual}
        problems.append(Problem("jmbg.check_digit", message, params, severity="warning"))

    region_code = number[7:9]
    kind, label, area, region_warning = _region(region_code)
    if region_warning is not None:
        problems.append(region_warning)

    serial = number[9:12]
    decoded_sex = Sex.MALE if int(serial) < 500 else Sex.FEMALE
    problems.extend(_compare_record(decoded, decoded_sex, serial, birth_date, birth_year, sex))

    return JmbgCheck(
        number=number,
        birth_date=decoded,
        region_code=region_code,
        region_kind=kind,
        region_label=label,
        region_area=area,
        sex=decoded_sex,
        problems=tuple(problems),
    )


def _compare_record(
    decoded: date | None,
    decoded_sex: Sex,
    serial: str,
    birth_date: date | None,
    birth_year: int | None,
    sex: Sex | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if decoded is not None and birth_date is not None and birth_date != decoded:
        message = N_("The number says born {number_date}, the record says {record_date}.")
        # Each branch fills different placeholders, some with numbers.
        params: dict[str, object] = {
            "number_date": decoded,
            "record_date": birth_date,
        }
        problems.append(Problem("jmbg.birth_date_mismatch", message, params, "warning"))
    elif (
        decoded is not None
        and birth_date is None
        and birth_year is not None
        and birth_year != decoded.year
    ):
        message = N_("The number says born {number_date}, the record says {record_year}.")
        params = {"number_date": decoded, "record_year": birth_year}
        problems.append(Problem("jmbg.birth_year_mismatch", message, params, "warning"))

    if sex in (Sex.MALE, Sex.FEMALE) and sex != decoded_sex:
        if decoded_sex is Sex.MALE:
            message = N_(
                "Digits 10 to 12 ({serial}) are below 500, which means male, but the record "
                "says female. Check the digits and the record."
            )
        else:
            message = N_(
                "Digits 10 to 12 ({serial}) are 500 or more, which means female, but the "
                "record says male. Check the digits and the record."
            )
        problems.append(Problem("jmbg.sex_mismatch", message, {"serial": serial}, "warning"))
    return problems
