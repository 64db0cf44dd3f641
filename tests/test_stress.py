"""tools/stress.py still runs: every part once, with tiny numbers (10-20 s).

The figures themselves come from ``make stress`` (see the README); this only keeps the
script from rotting as the services it calls change.
"""

from __future__ import annotations

from tools import stress


def test_every_part_runs_and_holds(monkeypatch, capsys):
    # main() points DOCASSIST_HOME at its temporary folders; monkeypatch puts it back.
    monkeypatch.setenv("DOCASSIST_HOME", "")
    args = ["--runs", "1", "--seconds", "1", "--restores", "1", "--fuzz", "1", "--seed", "14"]
    code = stress.main(args)
    out = capsys.readouterr()
    assert "crashed" not in out.out, out.err
    for part in ("kill -9", "two writers + CLI", "restore under load", "fuzz"):
        assert f"{part}: " in out.out
    assert code == 0, out.out + out.err


def test_only_complete_lines_are_acknowledged():
    # A line the kill cut short was never acknowledged, so it is not checked either.
    acks = stress.parse_acks("READY\nH 01AAA\nP 01BBB\nERR BusyDatabaseError: x\nC 01CC")
    assert acks.ids == {"H": ["01AAA"], "P": ["01BBB"], "C": []}
    assert acks.errors == ["BusyDatabaseError: x"]
