"""A real PostgreSQL server for the hub tests: initdb in a temporary folder, listening on
127.0.0.1 on a free port, password (SCRAM) authentication like a real hub, stopped at
the end of the session.

Where the server comes from, in this order:

1. the binaries bundled in the ``pgserver`` wheel (PostgreSQL 16; the test extra in
   pyproject.toml installs it), so a fresh machine with nothing but ``make test``
   has a server;
2. else the machine's own PostgreSQL (Debian's ``/usr/lib/postgresql/N/bin``, or
   ``initdb`` on PATH).

We drive ``initdb``/``pg_ctl`` ourselves rather than call ``pgserver.get_server``: that
one listens on a Unix socket only, and as root it runs ``useradd`` and widens the
permissions of every folder above the data directory. PostgreSQL refuses to run as
root (and CI runs as root), so as root the server runs as the unprivileged ``nobody``
(or ``postgres``) account; when that account cannot reach the binaries (a venv under
``/root``, mode 700), they are copied into the temporary folder first (about 27 MB,
a fraction of a second).

When no server can be started, :func:`start` raises :class:`NoServer` with one line
saying why; the fixture turns it into a test *failure*, never a skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "docassist_test"
PASSWORD = "test-only-password"


class NoServer(Exception):
    """No PostgreSQL server could be started; the message is one line."""


def _bundled_bin() -> Path | None:
    # Found without importing pgserver: its __init__ sets up things we do not use
    # (and warns about XDG_RUNTIME_DIR on a machine without one).
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if (path / "initdb").exists() else None


def _system_bins() -> list[Path]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    return [p for p in found if (p / "initdb").exists() and (p / "pg_ctl").exists()]


def candidate_bins() -> list[Path]:
    bundled = _bundled_bin()
    return ([bundled] if bundled else []) + _system_bins()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_account() -> pwd.struct_passwd | None:
    """None when we may run the server ourselves; else the account it runs as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise NoServer("running as root and there is no 'postgres' or 'nobody' account")


@dataclass
class Server:
    bin_dir: Path
    data: Path
    port: int
    account: pwd.struct_passwd | None
    log: Path

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER, password: str = PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict = {}
        if self.account is not None:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": str(self.data.parent)}
        done = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.data.parent,
            timeout=120,
            **kwargs,
        )
        if check and done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise NoServer(f"{args[0]} failed: {detail[-1] if detail else done.returncode}")
        return done

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories='{self.data.parent}' "
            # a test server: durability is not what is tested, speed on 2 cores is
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60 -c shared_buffers=32MB"
        )
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data), check=False)

    def restart(self, mode: str = "immediate") -> None:
        """Stop (by default as a crash would: no shutdown checkpoint) and start again."""
        self.stop(mode)
        self.start()


def _usable_by(account: pwd.struct_passwd | None, bin_dir: Path) -> bool:
    if account is None:
        return True
    try:
        done = subprocess.run(
            [str(bin_dir / "initdb"), "--version"],
            capture_output=True,
            user=account.pw_uid,
            group=account.pw_gid,
            extra_groups=[],
            cwd="/",
        )
    except OSError:  # the account may not even reach the file
        return False
    return done.returncode == 0


def _copy_install(bin_dir: Path, into: Path) -> Path:
    """The binaries with their lib/ and share/ (initdb finds them relative to bin/), and
    for the wheel the shared libraries its RPATH names ($ORIGIN/../../../pgserver.libs),
    laid out the same way."""
    root = bin_dir.parent
    target = into / root.parent.name / root.name
    for part in ("bin", "lib", "share"):
        if (root / part).exists():
            shutil.copytree(root / part, target / part, symlinks=True)
    libs = root.parent.parent / "pgserver.libs"
    if libs.is_dir():
        shutil.copytree(libs, into / libs.name, symlinks=True)
    return target / "bin"


def start(base: Path | None = None) -> Server:
    """Start a new server; raises NoServer with one line when none can be started."""
    bins = candidate_bins()
    if not bins:
        raise NoServer(
            "no PostgreSQL server binaries: install the test extra (pip install -e '.[test]', "
            "which brings pgserver) or the machine's postgresql package"
        )
    account = _server_account()
    top = Path(tempfile.mkdtemp(prefix="docassist-pg-", dir=base))
    top.chmod(0o755)
    problems = []
    for bin_dir in bins:
        use = bin_dir
        if not _usable_by(account, bin_dir):
            use = _copy_install(bin_dir, top / f"copy{len(problems)}")
        data = top / f"data{len(problems)}"
        data.mkdir(mode=0o700)
        if account is not None:
            os.chown(top, account.pw_uid, account.pw_gid)
            os.chown(data, account.pw_uid, account.pw_gid)
        pwfile = top / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if account is not None:
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        server = Server(use, data, _free_port(), account, top / f"log{len(problems)}")
        try:
            server._run(
                "initdb",
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            for attempt in range(3):
                try:
                    server.start()
                    break
                except NoServer:
                    if attempt == 2:
                        raise
                    server.port = _free_port()  # taken meanwhile by someone else
            _wait_ready(server)
            return server
        except (NoServer, OSError, subprocess.SubprocessError) as err:
            problems.append(f"{bin_dir}: {err}")
    raise NoServer("could not start PostgreSQL: " + "; ".join(problems))


def _wait_ready(server: Server) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(server.dsn(), connect_timeout=5):
                return
        except psycopg.OperationalError as err:
            if time.monotonic() > deadline:
                raise NoServer(f"the server did not accept connections: {err}") from err
            time.sleep(0.1)


@contextlib.contextmanager
def running() -> Iterator[Server]:
    server = start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.data.parent, ignore_errors=True)
