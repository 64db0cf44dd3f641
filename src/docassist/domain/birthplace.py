"""What a place of birth, as typed, tells the rules: born in Kosovo, abroad, or not known.

Pure and small on purpose. A place of birth is free text ("Priština", "Приштина",
"Dortmund, Nemačka"), so it is read part by part (split at commas, slashes and
brackets) and each part compared by its search key, which folds script, case and
diacritics. Only places listed here are recognised: anything else is "not known",
never guessed to be in Serbia. A facilitator who types the country after the town
("Essen, Germany") is always understood.

Why it matters (domain.md):

- §1.4: registry books of Kosovo municipalities were moved to central and southern
  Serbia after 1999 and some were destroyed; a person born in Kosovo is entered (if at
  all) in one of those books, and a Kosovo place or JMBG region proves no entry that
  can be reached today. The offices keeping the books are known only from 2010
  examples [S34]: Niš for Priština, Podujevo, Glogovac, Obilić, Lipljan and Kosovo
  Polje; Kragujevac for Peć, Istok and Klina. They are examples to check with the
  office, not a current list.
- §1.3 and §6: a birth documented abroad is not a case for the court (which is for
  people who cannot prove when and where they were born); the foreign certificate,
  on the international form, is what the registry office needs.
"""

from __future__ import annotations

import re

from docassist.domain.script import search_key

__all__ = [
    "ABROAD",
    "BIRTHPLACES",
    "KOSOVO",
    "KOSOVO_REGIONS",
    "RELOCATED_BOOKS",
    "born_in",
    "kosovo_municipality",
    "relocated_books_office",
]

KOSOVO = "kosovo"
ABROAD = "abroad"
#: The values a checklist's ``born_in`` may name.
BIRTHPLACES = (KOSOVO, ABROAD)

#: JMBG registration areas of Kosovo (domain.md §7.3, rows 91-97).
KOSOVO_REGIONS = frozenset({"91", "92", "93", "94", "95", "96", "97"})

# Kosovo municipalities as domain.md §7.3 lists them (Serbian Latin), and "Kosovo"
# itself. Common Albanian spellings follow each, as families from Kosovo often write
# them; they are spellings, not legal facts.
_KOSOVO_PLACES: tuple[tuple[str, ...], ...] = (
    ("Kosovo", "Kosovo i Metohija", "KiM", "Kosova"),
    ("Glogovac", "Drenas", "Gllogoc"),
    ("Kosovo Polje", "Fushë Kosova", "Fushe Kosova"),
    ("Lipljan", "Lipjan"),
    ("Novo Brdo", "Novobërdë", "Novoberde"),
    ("Obilić", "Obiliq"),
    ("Podujevo", "Podujeva", "Podujevë"),
    ("Priština", "Prishtina", "Prishtinë", "Pristina"),
    ("Kosovska Mitrovica", "Mitrovica", "Mitrovicë"),
    ("Leposavić", "Leposaviq"),
    ("Srbica", "Skenderaj"),
    ("Vučitrn", "Vushtrri"),
    ("Zubin Potok",),
    ("Zvečan", "Zveçan"),
    ("Dečani", "Deçan"),
    ("Istok", "Istog"),
    ("Klina", "Klinë"),
    ("Peć", "Pejë", "Peja"),
    ("Đakovica", "Gjakova", "Gjakovë"),
    ("Dragaš", "Dragash"),
    ("Gora",),
    ("Mališevo", "Malisheva"),
    ("Opolje",),
    ("Orahovac", "Rahovec"),
    ("Prizren",),
    ("Suva Reka", "Suhareka", "Suharekë"),
    ("Kačanik", "Kaçanik"),
    ("Uroševac", "Ferizaj"),
    ("Štimlje", "Shtime"),
    ("Štrpce", "Shtërpcë"),
    ("Gnjilane", "Gjilan"),
    ("Kosovska Kamenica",),
    ("Vitina", "Viti"),
)

#: domain.md §1.4 [S34]: the Serbian office that kept a Kosovo municipality's
#: relocated books in 2010. Examples only: check with the office.
RELOCATED_BOOKS: dict[str, tuple[str, ...]] = {
    "Niš": ("Priština", "Podujevo", "Glogovac", "Obilić", "Lipljan", "Kosovo Polje"),
    "Kragujevac": ("Peć", "Istok", "Klina"),
}

# Countries and towns returnees and refugees are often born in (readmission, §6;
# the neighbouring republics, §7.3), in the spellings met on forms: English, Serbian,
# the country's own. A place not listed is "not known", never "abroad" by guess.
_FOREIGN_PLACES: tuple[str, ...] = (
    # countries
    "Germany",
    "Nemačka",
    "Njemačka",
    "SR Nemačka",
    "Deutschland",
    "BRD",
    "Austria",
    "Austrija",
    "Österreich",
    "Switzerland",
    "Švajcarska",
    "Schweiz",
    "Suisse",
    "Sweden",
    "Švedska",
    "Sverige",
    "France",
    "Francuska",
    "Italy",
    "Italija",
    "Italia",
    "Netherlands",
    "Holland",
    "Holandija",
    "Nizozemska",
    "Nederland",
    "Belgium",
    "Belgija",
    "België",
    "Belgique",
    "Luxembourg",
    "Luksemburg",
    "Denmark",
    "Danska",
    "Danmark",
    "Norway",
    "Norveška",
    "Norge",
    "Finland",
    "Finska",
    "United Kingdom",
    "UK",
    "England",
    "Velika Britanija",
    "Engleska",
    "Hungary",
    "Mađarska",
    "Magyarország",
    "Greece",
    "Grčka",
    "Spain",
    "Španija",
    "España",
    "Czech Republic",
    "Češka",
    "Slovakia",
    "Slovačka",
    "Poland",
    "Poljska",
    "Romania",
    "Rumunija",
    "Bulgaria",
    "Bugarska",
    "Albania",
    "Albanija",
    "Turkey",
    "Turska",
    "USA",
    "United States",
    "SAD",
    "Amerika",
    "Canada",
    "Kanada",
    "Australia",
    "Australija",
    "Bosnia and Herzegovina",
    "Bosna i Hercegovina",
    "Bosna",
    "BiH",
    "Republika Srpska",
    "Croatia",
    "Hrvatska",
    "Montenegro",
    "Crna Gora",
    "North Macedonia",
    "Macedonia",
    "Makedonija",
    "Severna Makedonija",
    "Slovenia",
    "Slovenija",
    # towns in Germany, where most readmitted families lived
    "Dortmund",
    "Berlin",
    "Hamburg",
    "München",
    "Munich",
    "Minhen",
    "Köln",
    "Keln",
    "Cologne",
    "Frankfurt",
    "Essen",
    "Duisburg",
    "Düsseldorf",
    "Diseldorf",
    "Stuttgart",
    "Štutgart",
    "Bremen",
    "Hannover",
    "Hanover",
    "Bochum",
    "Gelsenkirchen",
    "Wuppertal",
    "Bielefeld",
    "Bonn",
    "Münster",
    "Nürnberg",
    "Nirnberg",
    "Mannheim",
    "Aachen",
    "Oberhausen",
    "Mönchengladbach",
    "Hagen",
    "Krefeld",
    "Leipzig",
    "Dresden",
    "Augsburg",
    "Karlsruhe",
    "Wiesbaden",
    "Mainz",
    "Kassel",
    "Offenbach",
    "Ulm",
    "Ludwigshafen",
    "Saarbrücken",
    "Freiburg",
    # elsewhere
    "Wien",
    "Vienna",
    "Beč",
    "Graz",
    "Linz",
    "Salzburg",
    "Innsbruck",
    "Zürich",
    "Cirih",
    "Basel",
    "Bazel",
    "Bern",
    "Genève",
    "Geneva",
    "Ženeva",
    "Luzern",
    "Stockholm",
    "Štokholm",
    "Malmö",
    "Göteborg",
    "Gothenburg",
    "Paris",
    "Pariz",
    "Lyon",
    "Lion",
    "Strasbourg",
    "Strazbur",
    "Marseille",
    "Milano",
    "Milan",
    "Roma",
    "Rim",
    "Torino",
    "Napoli",
    "Amsterdam",
    "Rotterdam",
    "Brussels",
    "Brisel",
    "Bruxelles",
    "Antwerpen",
    "Copenhagen",
    "Kopenhagen",
    "København",
    "Oslo",
    "Helsinki",
    "London",
    "Budapest",
    "Budimpešta",
    "Sarajevo",
    "Zagreb",
    "Podgorica",
    "Skopje",
    "Skoplje",
    "Ljubljana",
    "Banja Luka",
    "Tuzla",
    "Bijeljina",
)


def _keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(search_key(name) for name in names)


_KOSOVO_KEYS = _keys(tuple(name for group in _KOSOVO_PLACES for name in group))
_FOREIGN_KEYS = _keys(_FOREIGN_PLACES)
# Every spelling of a Kosovo municipality -> its name as domain.md writes it.
_KOSOVO_NAME = {search_key(name): group[0] for group in _KOSOVO_PLACES for name in group}
_BOOKS = {
    search_key(place): office for office, places in RELOCATED_BOOKS.items() for place in places
}
_PARTS = re.compile(r"[,;/()\[\]]+")


def _parts(place: str) -> list[str]:
    """The parts of a typed place, each as a search key, whole text first."""
    keys = [search_key(place)]
    keys += [search_key(part) for part in _PARTS.split(place) if part.strip()]
    return [key for key in dict.fromkeys(keys) if key]


def born_in(place_of_birth: str, jmbg_region: str | None = None) -> str | None:
    """``KOSOVO``, ``ABROAD`` or None (not known) for a typed place of birth.

    A JMBG from a Kosovo registration area (91-97) means an entry in a Kosovo book, so
    it counts as Kosovo when the place says nothing we recognise.
    """
    parts = _parts(place_of_birth or "")
    if any(key in _KOSOVO_KEYS for key in parts):
        return KOSOVO
    if any(key in _FOREIGN_KEYS for key in parts):
        return ABROAD
    if jmbg_region in KOSOVO_REGIONS:
        return KOSOVO
    return None


def kosovo_municipality(place_of_birth: str) -> str | None:
    """The Kosovo municipality a typed place names, as domain.md spells it."""
    for key in _parts(place_of_birth or ""):
        if key in _KOSOVO_NAME and _KOSOVO_NAME[key] != "Kosovo":
            return _KOSOVO_NAME[key]
    return None


def relocated_books_office(place_of_birth: str) -> str | None:
    """The office that kept the relocated books of that Kosovo place in 2010, if known.

    An example from 2010 [S34], to check with the office: None when domain.md names
    no office for the place.
    """
    municipality = kosovo_municipality(place_of_birth)
    return _BOOKS.get(search_key(municipality)) if municipality else None
