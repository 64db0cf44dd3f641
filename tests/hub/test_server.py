"""The test server itself: a real PostgreSQL on 127.0.0.1 that takes passwords."""

from __future__ import annotations

import psycopg
import pytest

from tests import pg_server


def test_the_server_is_real_and_listens_on_loopback(pg, hub_dsn):
    with psycopg.connect(hub_dsn) as conn:
        version, addr = conn.execute(
            "SELECT current_setting('server_version_num')::int, inet_server_addr()::text"
        ).fetchone()
    assert version >= 150000
    assert addr.startswith("127.0.0.1")


def test_a_wrong_password_is_refused(pg):
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(pg.dsn(password="wrong"), connect_timeout=5).close()


def test_without_binaries_the_reason_is_one_line(monkeypatch):
    monkeypatch.setattr(pg_server, "candidate_bins", lambda: [])
    with pytest.raises(pg_server.NoServer) as caught:
        pg_server.start()
    assert "\n" not in str(caught.value)
    assert "pgserver" in str(caught.value)
