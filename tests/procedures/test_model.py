"""The checklist objects: texts in every language, values that compare and hash."""

from __future__ import annotations

from docassist.procedures import ChecklistSet, Text, load_file, validate_files
from tests.procedures.expect import CROSS, VALID


def test_text_fallback_chain():
    full = Text(en="ID card", sr="Лична карта", rom="Lični karta")
    assert full.get("en") == ("ID card", "en")
    assert full.get("sr") == ("Лична карта", "sr")
    assert full.get("sr_Latn") == ("Lična karta", "sr_Latn")
    assert full.get("rom") == ("Lični karta", "rom")
    assert full.get("de") == ("ID card", "en")

    no_rom = Text(en="ID card", sr="Лична карта", rom="")
    assert no_rom.get("rom") == ("Lična karta", "sr_Latn")

    english_only = Text(en="ID card")
    assert english_only.get("sr") == ("ID card", "en")
    assert english_only.get("sr_Latn") == ("ID card", "en")
    assert english_only.get("rom") == ("ID card", "en")
    assert Text(en="ID card", sr="  ").get("sr") == ("ID card", "en")


def test_checklists_are_hashable_values():
    first, _ = load_file(VALID / "id-card.toml")
    second, _ = load_file(VALID / "id-card.toml")
    assert first == second and hash(first) == hash(second)


def test_set_survives_a_cycle():
    checklists, _ = validate_files([CROSS / "cycle-a.toml", CROSS / "cycle-b.toml"])
    assert [c.id for c in ChecklistSet(checklists)] == ["cycle-a", "cycle-b"]
