"""The merge rule between two versions of one row (domain/sync.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from docassist.domain.sync import POLICY, ConflictKind, Version, covers, join, merge

persons = POLICY["persons"]
households = POLICY["households"]


def v(hlc: str, vv: dict[str, str], deleted: bool = False, **data) -> Version:
    return Version(hlc, vv, deleted, {"id": "p1", **data}, None)


def clock(n: int, device: str) -> str:
    return f"{n:015d}.000000.{device}"


A1 = clock(1, "a")
B2 = clock(2, "b")
A3 = clock(3, "a")


def test_a_new_row_is_taken():
    out = merge(persons, "p1", None, v(A1, {"a": A1}, notes="x"))
    assert out.take_content and out.conflict is None


def test_the_same_version_twice_changes_nothing():
    first = v(A1, {"a": A1}, notes="x")
    assert merge(persons, "p1", first, first).result is None


def test_an_edit_made_on_top_replaces_without_conflict():
    base = v(A1, {"a": A1}, notes="x")
    on_top = v(B2, {"a": A1, "b": B2}, notes="y")
    out = merge(persons, "p1", base, on_top)
    assert out.take_content and out.conflict is None
    # and the older one arriving late is old news
    assert merge(persons, "p1", on_top, base).result is None


def test_concurrent_edits_later_clock_wins_and_the_loser_is_kept():
    a = v(A3, {"a": A3}, notes="from a")
    b = v(B2, {"b": B2}, notes="from b")
    out = merge(persons, "p1", b, a)
    assert out.take_content
    assert out.result.vv == {"a": A3, "b": B2}
    assert out.conflict.kind == ConflictKind.EDIT
    assert out.conflict.winner == a and out.conflict.loser == b
    # the other way round: same winner, same conflict (one id for one losing version)
    other = merge(persons, "p1", a, b)
    assert not other.take_content
    assert other.conflict.id == out.conflict.id


def test_a_delete_beats_a_later_concurrent_edit():
    edit = v(A3, {"a": A3}, notes="edited")
    delete = v(B2, {"b": B2}, deleted=True, deleted_at="x")
    out = merge(persons, "p1", edit, delete)
    assert out.take_content and out.result.deleted
    assert out.conflict.kind == ConflictKind.DELETE and out.conflict.loser == edit


def test_identity_fields_are_flagged():
    a = v(A3, {"a": A3}, given_name="Ana", jmbg="1")
    b = v(B2, {"b": B2}, given_name="Ana", jmbg="2")
    assert merge(persons, "p1", b, a).conflict.kind == ConflictKind.IDENTITY
    # a household has no identity fields: the same change there is an ordinary edit
    assert merge(households, "p1", b, a).conflict.kind == ConflictKind.EDIT


def test_the_same_edit_on_two_laptops_is_no_conflict():
    a = v(A3, {"a": A3}, notes="same", updated_at="t1", device_id="a")
    b = v(B2, {"b": B2}, notes="same", updated_at="t2", device_id="b")
    assert merge(persons, "p1", b, a).conflict is None


def test_attendance_marks_are_never_conflicts():
    a = v(A3, {"a": A3}, deleted=True, deleted_at="x")
    b = v(B2, {"b": B2})
    assert merge(POLICY["attendance"], "w/h/", b, a).conflict is None


vectors = st.dictionaries(st.sampled_from("abc"), st.integers(1, 5).map(lambda n: clock(n, "x")))


@given(vectors, vectors, vectors)
def test_join_is_the_least_vector_covering_both(a, b, c):
    j = join(a, b)
    assert covers(j, a) and covers(j, b)
    assert join(a, b) == join(b, a)
    assert join(join(a, b), c) == join(a, join(b, c))
    if covers(c, a) and covers(c, b):
        assert covers(c, j)
