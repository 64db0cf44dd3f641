"""The line locator: the line of each part of a TOML file, for messages."""

from __future__ import annotations

from docassist.procedures.positions import LineLocator


def test_locator_maps_headers_keys_and_array_items():
    text = """\
id = "x"
applies.lacks = "id_card"

[[steps]]
key = "a"
tips = \"\"\"Bring [two] copies.
# not a comment\"\"\"
bring = [
  "first",  # a comment with ] and "
  'second',
]

[[steps]]
"key" = "b"
title.en = "Title"

[steps.where]
en = "Here"
"""
    loc = LineLocator(text)
    assert loc.line(["id"]) == 1
    assert loc.line(["applies"]) == 2
    assert loc.line(["applies", "lacks"]) == 2
    assert loc.line(["steps", 0]) == 4
    assert loc.line(["steps", 0, "key"]) == 5
    assert loc.line(["steps", 0, "bring"]) == 8
    assert loc.line(["steps", 0, "bring", 0]) == 9
    assert loc.line(["steps", 0, "bring", 1]) == 10
    assert loc.line(["steps", 1]) == 13
    assert loc.line(["steps", 1, "key"]) == 14
    assert loc.line(["steps", 1, "title", "en"]) == 15
    assert loc.line(["steps", 1, "where"]) == 17
    assert loc.line(["steps", 1, "where", "en"]) == 18
    # Unknown paths fall back to the nearest ancestor, then to line 1.
    assert loc.line(["steps", 1, "cost"]) == 13
    assert loc.line(["nothing"]) == 1


def test_locator_survives_text_it_does_not_understand():
    loc = LineLocator('a = 1\nb = "unterminated\n')
    assert loc.line(["a"]) == 1
    assert loc.line(["b", "c"]) == 2
