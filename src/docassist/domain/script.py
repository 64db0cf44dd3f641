"""Serbian Cyrillic and Latin: transliteration, search keys and sort keys.

Names reach the app in both scripts, typed with or without diacritics, and in
ASCII spellings such as "Djordjevic". The registry prints Cyrillic and a
facilitator usually types Latin. So a record has to be found and ordered the
same way whichever spelling was used.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "LETTERS_AS_SERBIAN",
    "SPLIT_DIGRAPH_PREFIXES",
    "collation_string",
    "cyr_to_lat",
    "is_cyrillic",
    "lat_to_cyr",
    "search_key",
    "search_tokens",
    "sort_key",
]

# The 30 letters of the Serbian Cyrillic azbuka, in azbuka order, with their Latin letters.
_AZBUKA: tuple[tuple[str, str], ...] = (
    ("а", "a"), ("б", "b"), ("в", "v"), ("г", "g"), ("д", "d"), ("ђ", "đ"),
    ("е", "e"), ("ж", "ž"), ("з", "z"), ("и", "i"), ("ј", "j"), ("к", "k"),
    ("л", "l"), ("љ", "lj"), ("м", "m"), ("н", "n"), ("њ", "nj"), ("о", "o"),
    ("п", "p"), ("р", "r"), ("с", "s"), ("т", "t"), ("ћ", "ć"), ("у", "u"),
    ("ф", "f"), ("х", "h"), ("ц", "c"), ("ч", "č"), ("џ", "dž"), ("ш", "š"),
)  # fmt: skip

_ABECEDA: tuple[str, ...] = (
    "a", "b", "c", "č", "ć", "d", "dž", "đ", "e", "f", "g", "h", "i", "j", "k",
    "l", "lj", "m", "n", "nj", "o", "p", "r", "s", "š", "t", "u", "v", "z", "ž",
)  # fmt: skip

_CYR_TO_LAT: dict[str, str] = dict(_AZBUKA)
# Grave-accented е and и are not letters of their own (they mark the stress that tells
# "сѐ", everything, from "се", oneself) but Unicode has code points for them, and NFC
# composes е + U+0300 into them: in Latin they are è and ì.
_CYR_TO_LAT.update({"ѐ": "è", "ѝ": "ì"})
_LAT_TO_CYR: dict[str, str] = {}
for _cyr, _lat in _AZBUKA:
    _LAT_TO_CYR[_lat] = _cyr
    _LAT_TO_CYR[_lat.upper()] = _cyr.upper()
    if len(_lat) == 2:
        # The title-case digraph (Lj) is the usual spelling at the start of a name.
        _LAT_TO_CYR[_lat[0].upper() + _lat[1]] = _cyr.upper()
# "lJ" and "dŽ" are left as two letters: cyr_to_lat never writes them, so reading
# them as one letter would break the round trip for Cyrillic "лЈ".

# Unicode has single code points for the digraphs; some keyboards and PDFs produce them.
_PRECOMPOSED: dict[str, str] = {
    "ǅ": "dž", "Ǆ": "dž", "ǆ": "dž",
    "ǈ": "lj", "Ǉ": "lj", "ǉ": "lj",
    "ǋ": "nj", "Ǌ": "nj", "ǌ": "nj",
}  # fmt: skip
for _ch, _lat in _PRECOMPOSED.items():
    _cyr = _LAT_TO_CYR[_lat]
    _LAT_TO_CYR[_ch] = _cyr if _ch.islower() else _cyr.upper()

#: Word beginnings where Latin "nj" or "dž" spell two Cyrillic letters (н+ј, д+ж), not
#: one. These are compounds across a prefix boundary (in-jekcija, nad-živeti). Only the
#: first "nj"/"dž" of a beginning is split there: a later one is a real letter
#: (nad-žnjeti is наджњети, nad-žanjem наджањем). The list is kept short on purpose:
#: names, not dictionaries, are what the app converts.
SPLIT_DIGRAPH_PREFIXES: tuple[str, ...] = (
    "injekc",
    "injunkt",
    "konjunk",
    "tanjug",
    "vanjezi",
    "nadžanj",
    "nadživ",
    "nadžnj",
    "nadžup",
    "podžanr",
    "podžel",
    "podžnj",
)

_WORD = re.compile(r"[^\W\d_]+")


def cyr_to_lat(text: str) -> str:
    """Serbian Cyrillic to Latin, letter for letter; other characters pass through.

    Љ, Њ and Џ become two Latin letters. Their case follows the word: "Lj" before a
    lower-case letter or alone in a title-case word, "LJ" inside an upper-case word.
    """
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        lat = _CYR_TO_LAT.get(low)
        if lat is None:
            out.append(ch)
        elif ch == low:
            out.append(lat)
        elif len(lat) == 1 or _in_upper_case_word(text, i):
            out.append(lat.upper())
        else:
            out.append(lat[0].upper() + lat[1:])
    return "".join(out)


def _in_upper_case_word(text: str, i: int) -> bool:
    # The following letter decides ("ЉИ" -> LJI, "Љи" -> Lji); at the end of a word
    # the preceding letter does ("КРАЉ" -> KRALJ), and a letter standing alone is a title.
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[i + 1].isupper()
    return i > 0 and text[i - 1].isalpha() and text[i - 1].isupper()


def _latin_units(word: str) -> list[str]:
    """Split a Latin word into Serbian letters, reading lj/nj/dž as one letter."""
    low = "".join(c.lower() if len(c.lower()) == 1 else c for c in word)
    split: set[int] = set()
    for prefix in SPLIT_DIGRAPH_PREFIXES:
        if low.startswith(prefix):
            split.add(next(i for i in range(len(prefix)) if prefix[i : i + 2] in ("nj", "dž")))
    units: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if len(pair) == 2 and i not in split and pair in _LAT_TO_CYR:
            units.append(pair)
            i += 2
        else:
            units.append(word[i])
            i += 1
    return units


def lat_to_cyr(text: str) -> str:
    """Serbian Latin to Cyrillic; letters with no Cyrillic counterpart pass through.

    lj, nj and dž become Љ, Њ and Џ except at the word beginnings in
    ``SPLIT_DIGRAPH_PREFIXES``. For text made only of Serbian Cyrillic letters,
    ``lat_to_cyr(cyr_to_lat(s)) == s`` unless ``s`` contains л+ј, н+ј or д+ж, or a word
    whose Latin form starts with one of those prefixes.
    """
    text = unicodedata.normalize("NFC", text)

    def word(match: re.Match[str]) -> str:
        return "".join(_LAT_TO_CYR.get(u, u) for u in _latin_units(match.group()))

    return _WORD.sub(word, text)


def is_cyrillic(text: str) -> bool:
    """True when more than half of the letters in ``text`` are Cyrillic."""
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum(1 for c in letters if "CYRILLIC" in unicodedata.name(c, ""))
    return cyrillic * 2 > len(letters)


# --- letters without a base letter ----------------------------------------------

#: Letters that Unicode gives no base letter (NFKD leaves them whole), and letters of
#: other alphabets, read as the Serbian Latin letters they stand for. The one table
#: for both search and sort: "Ðorđe" (with an eth, as PDFs and some keyboards give Đ)
#: is found as and sorts with "Đorđe", and Romani "Reʒepović" with "Redžepović".
#: A letter with an accent on one of these (ǯ is ʒ with a caron) reads as the same.
LETTERS_AS_SERBIAN: dict[str, str] = {
    "ð": "đ",  # eth: looks like Đ
    "ʒ": "dž",  # ezh: dž in Romani spelling, as is ǯ
    "ʃ": "š",  # esh
    "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "þ": "th",
    "ə": "e", "ɛ": "e", "ɔ": "o", "ŧ": "t", "ŋ": "n",
    # Russian, Ukrainian and Macedonian letters outside the azbuka, so that names
    # copied from foreign documents still match (й is ј, see search_key).
    "я": "ja", "ю": "ju", "ы": "i", "щ": "šč", "ъ": "", "ь": "", "э": "e",
    "є": "je", "і": "i", "ѕ": "dz", "ґ": "g",
    # Greek, read the way Serbian writes Greek names (Θεόδωρος is Teodoros).
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "t",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "h", "ψ": "ps",
    "ω": "o",
}  # fmt: skip


def _spell_letters(text: str) -> str:
    """``text`` with each letter of ``LETTERS_AS_SERBIAN`` written as its Serbian
    Latin letters (in lower case: search and sort both ignore case)."""
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)[:1].lower()
        spelled = LETTERS_AS_SERBIAN.get(base)
        out.append(ch if spelled is None else spelled)
    return "".join(out)


# --- search keys -----------------------------------------------------------------


def _ascii_fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if unicodedata.category(c)[0] != "M")


# The Serbian letters that keep no base letter under NFKD (đ), and the azbuka through
# its Latin letters (ђ -> đ -> d, џ -> dž -> dz).
_SERBIAN_FOLD: dict[str, str] = {"đ": "d"}
_SERBIAN_FOLD.update(
    {cyr: "".join(_SERBIAN_FOLD.get(c, c) for c in _ascii_fold(lat)) for cyr, lat in _AZBUKA}
)

# Spellings of one Serbian sound that the key writes one way, on the folded letters:
# ASCII "dj" for đ; and Albanian, as names of Roma from Kosovo are often written:
# gj = đ, xh = dž, q = ć, sh = š, zh = ž (ç and ë lose their marks like any accent).
# "Krasniqi" and "Krasnići" then have one key, and so have "Hoxha" and "Hodža".
_SAME_SOUND = re.compile(r"dj|gj|xh|sh|zh|q")
_SAME_SOUND_AS = {"dj": "d", "gj": "d", "xh": "dz", "sh": "s", "zh": "z", "q": "c"}


def _fold_char(ch: str) -> str:
    """One character of the folded text: a-z and 0-9 as they are, a digit of any
    script as its ASCII digit, a letter no table reads kept, anything else a space."""
    if ch.isascii():
        return ch if ch.isalnum() else " "
    if ch.isdecimal():
        return str(unicodedata.decimal(ch))
    return ch if ch.isalpha() else " "


# Both keys are asked for the same few names again and again (each place's name per
# row of the place index, then per group; the names of one page sorted twice), and
# both are pure: remembered, the start of the household list computes each once.
KEYS_REMEMBERED = 4096


@lru_cache(maxsize=KEYS_REMEMBERED)
def search_key(text: str) -> str:
    """A key in which script, case and diacritics no longer matter.

    "Ђорђевић", "Đorđević", "Djordjevic" and "DORDEVIC" all give "dordevic". Only
    lower-case letters and digits 0-9 remain, with single spaces between words: a-z
    for Serbian (either script), Romani, Albanian, Greek and the other letters
    ``LETTERS_AS_SERBIAN`` reads; letters of scripts it cannot read (Arabic, Chinese)
    stay as they are, so a name written in one is found by typing it the same way.

    A few spellings of one sound merge: ASCII "dj" is read as đ everywhere, and the
    Albanian gj, xh, q, sh, zh as đ, dž, ć, š, ž. So the key also merges a few real
    words ("podjela", "Ishak"); that costs a little precision and never loses a match.
    """
    # Russian й is Serbian ј; without this NFKD would turn it into и.
    s = unicodedata.normalize("NFC", text).casefold().replace("й", "ј")
    s = _ascii_fold(_spell_letters(s)).casefold()  # again: NFKD can expose capitals (ℌ -> H)
    s = "".join(_fold_char(c) for c in "".join(_SERBIAN_FOLD.get(c, c) for c in s))
    while True:  # repeated, because "ddjj" -> "ddj" still holds a "dj"
        folded = _SAME_SOUND.sub(lambda m: _SAME_SOUND_AS[m.group()], s)
        if folded == s:
            break
        s = folded
    return " ".join(s.split())


def search_tokens(text: str) -> list[str]:
    """The words of ``search_key(text)``, for building prefix queries."""
    return search_key(text).split()


# --- sort keys -------------------------------------------------------------------

_Element = tuple[int, int, int]
# What sort_key returns: letters by alphabet rank, accent weights, the lower-cased
# text, the text itself (the tie-breakers, in that order).
SortKey = tuple[tuple[_Element, ...], tuple[int, ...], str, str]

_LATN_RANK: dict[str, int] = {letter: i for i, letter in enumerate(_ABECEDA)}
_CYRL_RANK: dict[str, int] = {cyr: i for i, (cyr, _lat) in enumerate(_AZBUKA)}
# Where Latin letters outside the abeceda go, as in CLDR's Croatian order (which
# Serbian Latin uses): q after p, w x y after v.
_LATN_EXTRA: dict[str, tuple[str, int]] = {
    "q": ("p", 1),
    "w": ("v", 1),
    "x": ("v", 2),
    "y": ("v", 3),
}

_SEPARATOR: _Element = (0, 0, 0)
_DIGIT, _LETTER, _OTHER = 1, 2, 3

_LATN_TOKEN = re.compile(r"[^\W\d_]+|.", re.DOTALL)


def _letter(unit: str, ranks: dict[str, int], to_cyrillic: bool) -> _Element | None:
    rank = ranks.get(unit)
    if rank is not None:
        return (_LETTER, rank, 0)
    if not to_cyrillic and unit in _LATN_EXTRA:
        base, sub = _LATN_EXTRA[unit]
        return (_LETTER, ranks[base], sub)
    return None


def _element(unit: str, ranks: dict[str, int], to_cyrillic: bool) -> tuple[_Element, int]:
    """The primary element of one letter and its secondary weight (0 = no accent)."""
    letter = _letter(unit, ranks, to_cyrillic)
    if letter is not None:
        return letter, 0
    if unit.isdigit():
        return (_DIGIT, ord(unit[0]), 0), 0
    # A letter with a foreign accent (é, ü, й) ranks as its base letter; the accent only
    # separates otherwise equal names, so "Müller" stays among the "Mu" names.
    decomposed = unicodedata.normalize("NFKD", unit)
    base = decomposed[0] if decomposed else unit
    base = _LAT_TO_CYR.get(base, base) if to_cyrillic else _CYR_TO_LAT.get(base, base)
    letter = _letter(base, ranks, to_cyrillic) if base != unit else None
    if letter is not None:
        return letter, ord(unit[0])
    return (_OTHER, ord(unit[0]), 0), 0


def _latn_units(text: str) -> list[str]:
    units: list[str] = []
    for token in _LATN_TOKEN.findall(text):
        if any(c.lower() in _CYR_TO_LAT for c in token):
            # Cyrillic letters map one by one, so н+ј stays two letters.
            units.extend(_CYR_TO_LAT.get(c.lower(), c.lower()) for c in token)
        elif token[0].isalpha():
            units.extend(_PRECOMPOSED.get(u, u.lower()) for u in _latin_units(token))
        else:
            units.append(token)
    return units


def _collation(text: str, script: str) -> tuple[tuple[_Element, ...], tuple[int, ...]]:
    """Primary elements (letters by alphabet rank) and secondary weights (accents)."""
    if script not in ("latn", "cyrl"):
        raise ValueError(f"script must be 'latn' or 'cyrl', not {script!r}")
    # Letters without a base letter take their Serbian letters first: Ð sorts as Đ.
    nfc = _spell_letters(unicodedata.normalize("NFC", text))
    if script == "latn":
        units, ranks, to_cyrillic = _latn_units(nfc), _LATN_RANK, False
    else:
        units, ranks, to_cyrillic = list(lat_to_cyr(nfc).lower()), _CYRL_RANK, True
    primary: list[_Element] = []
    secondary: list[int] = []
    for unit in units:
        if unicodedata.combining(unit[0]):
            continue
        if not unit[0].isalnum():
            if primary and primary[-1] != _SEPARATOR:
                primary.append(_SEPARATOR)
                secondary.append(0)
            continue
        element, accent = _element(unit, ranks, to_cyrillic)
        primary.append(element)
        secondary.append(accent)
    if primary and primary[-1] == _SEPARATOR:
        primary.pop()
        secondary.pop()
    return tuple(primary), tuple(secondary)


@lru_cache(maxsize=KEYS_REMEMBERED)
def sort_key(text: str, script: str = "latn") -> SortKey:
    """A key that orders text by the Serbian alphabet of the script shown.

    ``script="latn"`` uses the abeceda (A B C Č Ć D Dž Đ ...) and reads Cyrillic as
    its Latin letters; ``script="cyrl"`` uses the azbuka (А Б В Г Д Ђ ...) and reads
    Latin as Cyrillic. Lj, Nj and Dž are single letters. Case does not matter. Digits
    come before letters, and a word break before both, so "Ana Marija" < "Anabela".

    Letters outside the alphabet: those of ``LETTERS_AS_SERBIAN`` rank as the letters
    it gives (Ð as Đ, ʒ as Dž, Greek as its Latin reading); q w x y go where CLDR puts
    them in Latin (q after p, w x y after v) and at the end in Cyrillic; accented
    letters rank as their base letter with the accent breaking ties; anything else
    goes to the end, by code point.
    Remaining ties are broken by the lower-cased text, then by the text itself.
    """
    primary, secondary = _collation(text, script)
    return (primary, secondary, text.lower(), text)


# collation_string writes each number of the key as two "digits" in base 0x7000, using
# the code points U+0100..U+70FF: no controls, no surrogates, and code point order is
# UTF-8 byte order, which is how SQLite's default BINARY collation compares text.
_DIGIT_BASE = 0x7000
_DIGIT_ZERO = 0x100
_END = "\x01"  # below every encoded digit, so a shorter prefix sorts first
_LETTER_CODE = 1 + 0x110000  # separator 0, digits 1 + code point, then the letters
_OTHER_CODE = _LETTER_CODE + 4 * len(_ABECEDA)


def _encode(number: int) -> str:
    high, low = divmod(number, _DIGIT_BASE)
    return chr(_DIGIT_ZERO + high) + chr(_DIGIT_ZERO + low)


def _element_code(element: _Element) -> int:
    kind, rank, sub = element
    if kind == _DIGIT:
        return 1 + rank
    if kind == _LETTER:
        return _LETTER_CODE + 4 * rank + sub
    if kind == _OTHER:
        return _OTHER_CODE + rank
    return 0


def collation_string(text: str, script: str = "latn") -> str:
    """``sort_key`` as one string, for a database column ordered by plain comparison.

    Strings compare (by code point, or bytewise as UTF-8) in the same order as the
    ``sort_key`` of their texts, as long as the texts have no control characters below
    U+0002. The string is an opaque key: store it, index it and order by it, but never
    show it.
    """
    primary, secondary = _collation(text, script)
    return (
        "".join(_encode(_element_code(e)) for e in primary)
        + _END
        + "".join(_encode(accent) for accent in secondary)
        + _END
        + text.lower()
        + _END
        + text
    )
