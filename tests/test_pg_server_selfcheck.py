"""Self-check for tests/pg_server.py: a real PostgreSQL server starts, serves two isolated
databases through SQLAlchemy + psycopg, and stops.

Skipped when PostgreSQL is unavailable, except under CI=true, where it fails instead."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pg_server import postgres_unavailable_reason, start_postgres

pytestmark = pytest.mark.postgres


def test_real_postgres_server_with_two_isolated_databases() -> None:
    reason = postgres_unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires PostgreSQL tests to run, but: {reason}")
        pytest.skip(reason)

    # Not under pytest's basetemp: a concurrent pytest session resets its root to mode 0700,
    # which locks the server's user out of a data directory beneath it (as in conftest).
    base = Path(tempfile.mkdtemp(prefix="qspine-pg-selfcheck-"))
    t0 = time.perf_counter()
    server = start_postgres(base)
    startup_s = time.perf_counter() - t0
    try:
        assert server.url.startswith("postgresql+psycopg://")
        urls = [server.create_database(name) for name in ("selfcheck_a", "selfcheck_b")]
        for i, url in enumerate(urls):
            engine = create_engine(url)
            try:
                with engine.begin() as conn:
                    version = conn.execute(text("select version()")).scalar_one()
                    assert str(version).startswith("PostgreSQL ")
                    # Each database is fresh: the table must not exist yet (isolation).
                    conn.execute(text("create table item (id int primary key, name text)"))
                    conn.execute(
                        text("insert into item values (:id, :name)"), {"id": i, "name": f"db{i}"}
                    )
                with engine.connect() as conn:
                    rows = conn.execute(text("select id, name from item")).all()
                assert [tuple(r) for r in rows] == [(i, f"db{i}")]
            finally:
                engine.dispose()
        for name in ("selfcheck_a", "selfcheck_b"):
            server.drop_database(name)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"PostgreSQL server start took {startup_s:.2f}s")
