"""The hub tests run against a real PostgreSQL server that the suite starts itself
(tests/pg_server.py). When none can be started every hub test fails with one line
saying why: a skipped hub test would look green while nothing was tested."""

from __future__ import annotations

import itertools

import pytest

from tests import pg_server

_names = itertools.count()


@pytest.fixture(scope="session")
def pg():
    try:
        server = pg_server.start()
    except pg_server.NoServer as err:
        server = err
    if isinstance(server, pg_server.NoServer):
        pytest.fail(f"no PostgreSQL server for the hub tests: {server}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
        import shutil

        shutil.rmtree(server.data.parent, ignore_errors=True)


@pytest.fixture
def new_database(pg):
    """A function making a new empty database on the test server; returns its DSN."""
    import psycopg

    def make() -> str:
        name = f"hub_{next(_names)}"
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return pg.dsn(name)

    return make


@pytest.fixture
def hub_dsn(new_database) -> str:
    """A new, empty database for one test, as the DSN a coordinator would type."""
    return new_database()


@pytest.fixture
def hub(hub_dsn) -> str:
    """An initialised hub; returns its (owner's) DSN."""
    from docassist.services import sync

    sync.init_hub(hub_dsn)
    return hub_dsn


@pytest.fixture
def laptops(tmp_path):
    """A function making a laptop (tests/hub/support.py) named ``name``, each a register
    of its own in the test's folder, all closed at the end of the test."""
    from tests.hub.support import Laptop

    made: list[Laptop] = []

    def make(name: str, **kwargs) -> Laptop:
        made.append(Laptop(tmp_path / f"{name}.db", **kwargs))
        return made[-1]

    yield make
    for laptop in made:
        laptop.close()
