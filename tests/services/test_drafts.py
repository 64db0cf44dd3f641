"""Drafts kept at a hang-up, restored over a record saved again since (services/drafts.py)."""

from __future__ import annotations

from datetime import datetime

from docassist.services import drafts


def test_a_draft_keeps_the_record_it_was_typed_over(ctx):
    base = {"address": "", "documents": {"id_card": "missing"}}
    typed = {"address": "Cara Dušana 5", "documents": {"id_card": "missing"}}
    drafts.keep_drafts(ctx, [drafts.Draft("person:p1", "Edit person", typed, base=base)])
    drafts.keep_drafts(ctx, [drafts.Draft("household:new", "New household", {"a": "b"})])
    kept = drafts.find_draft(ctx, "person:p1")
    assert kept is not None and kept.base == base and kept.fields == typed
    assert isinstance(kept.saved_at, datetime)
    new = drafts.find_draft(ctx, "household:new")
    assert new is not None and new.base is None  # a new record: nothing to compare
    assert not drafts.record_changed(new, {"a": ""})
    assert not drafts.record_changed(kept, base)
    assert drafts.record_changed(kept, {**base, "phone": "064 123 456"})


def test_only_what_was_typed_comes_back_over_the_newer_record():
    base = {
        "address": "",
        "phone": "",
        "notes": "old",
        "statuses": ["idp"],
        "documents": {"id_card": "missing", "residence": "unknown"},
    }
    typed = {
        **base,
        "address": "Cara Dušana 5",
        "documents": {"id_card": "have", "residence": "unknown"},
    }
    now = {
        **base,
        "phone": "064 123 456",
        "notes": "new",
        "documents": {"id_card": "missing", "residence": "have"},
    }
    assert drafts.over_newer(typed, base, now) == {
        "address": "Cara Dušana 5",  # typed
        "phone": "064 123 456",  # saved since, untouched in the draft
        "notes": "new",
        "statuses": ["idp"],
        # entry by entry: the ID card as typed, the residence as saved since
        "documents": {"id_card": "have", "residence": "have"},
    }
    # nothing saved since: the draft as it was
    assert drafts.over_newer(typed, base, base) == typed
