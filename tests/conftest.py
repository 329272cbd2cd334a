"""Fixtures that build real spines: SQLite files and databases on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from qspine import Spine, open_spine
from qspine.cli.main import run
from qspine.demo import seed_demo

from helpers import FAST_HASH, PASSWORD, DemoTemplate, Invoke, Result, settings_for
from pg_server import PostgresServer, postgres_unavailable_reason, start_postgres

# CI has two shared cores: judge properties by their examples, not by wall-clock time.
settings.register_profile("qspine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("qspine")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real server per test session (per xdist worker).

    Its data lives in a directory of its own, not under pytest's basetemp: pytest deletes all
    but the newest three basetemps when a session starts, which would pull the data directory
    from under a server still running in a concurrent session.
    """
    reason = postgres_unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI, but: {reason}")
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    base = Path(tempfile.mkdtemp(prefix="qspine-pg-"))
    server = start_postgres(base)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo, seeded once per session on SQLite; copy it with `helpers.demo_copy`."""
    folder = tmp_path_factory.mktemp("demo-template")
    url = f"sqlite:///{folder / 'demo.db'}"
    spine = open_spine(url, settings=settings_for(url, folder))
    summary = seed_demo(spine, today=dt.date.today())
    spine.close()
    return DemoTemplate(folder, summary)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'spine.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = "t_" + uuid.uuid4().hex[:16]
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture
def spine(db_url: str, tmp_path: Path) -> Iterator[Spine]:
    """A spine with four users: an admin, an author, an approver and a read-only viewer."""
    opened = open_spine(db_url, settings=settings_for(db_url, tmp_path))
    opened.users.add("bootstrap", "ada", "Ada Lovelace", PASSWORD, ["admin"])
    opened.users.add("ada", "eve", "Eve Engineer", PASSWORD, ["design_engineer"])
    opened.users.add("ada", "quinn", "Quinn Quality", PASSWORD, ["qa_ra_lead"])
    opened.users.add("ada", "vic", "Vic Viewer", PASSWORD, ["viewer"])
    yield opened
    opened.close()


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("QSPINE_DATABASE_URL", f"sqlite:///{path}")
    for name, value in FAST_HASH.items():
        monkeypatch.setenv(f"QSPINE_{name.upper()}", str(value))
    monkeypatch.delenv("QSPINE_USER", raising=False)
    monkeypatch.delenv("QSPINE_PROFILE", raising=False)
    return path


@pytest.fixture
def qspine(
    db_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    def invoke(*args: str, stdin: str = "") -> Result:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def seeded(qspine: Invoke) -> Invoke:
    """Users ada (admin), eve (design engineer), quinn (QA/RA lead); REQ-1 and UN-1 exist."""
    assert (
        qspine(
            "user",
            "add",
            "ada",
            "--name",
            "Ada Lovelace",
            "--role",
            "admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ).code
        == 0
    )
    for name, full, role in (
        ("eve", "Eve Engineer", "design_engineer"),
        ("quinn", "Quinn Quality", "qa_ra_lead"),
    ):
        result = qspine(
            "--user",
            "ada",
            "user",
            "add",
            name,
            "--name",
            full,
            "--role",
            role,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert result.code == 0, result.err
    assert (
        qspine(
            "-u",
            "eve",
            "record",
            "create",
            "requirement",
            "--set",
            "title=Show likelihood",
            "--set",
            "statement=The system shall show the likelihood.",
        ).code
        == 0
    )
    assert (
        qspine(
            "-u",
            "eve",
            "record",
            "create",
            "user_need",
            "--set",
            "title=Fast triage",
            "--set",
            "statement=Clinicians need a fast triage aid.",
        ).code
        == 0
    )
    return qspine
