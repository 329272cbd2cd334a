"""Engines for SQLite and PostgreSQL: the dialect quirks live here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from qspine.model.errors import InvalidInput
from qspine.store.schema import audit_head

DEFAULT_URL = "sqlite:///qspine.db"
READ_ONLY = "qspine_read_only"


def create_spine_engine(url: str | URL) -> Engine:
    """An engine configured for the spine: WAL, foreign keys, write-serialising transactions."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"database URL '{url}' is not a valid SQLAlchemy URL") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise InvalidInput(f"database URL '{url}': only sqlite and postgresql are supported")


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:":
        parent = Path(database).expanduser().resolve().parent
        if not parent.is_dir():
            raise InvalidInput(f"database URL '{url}': folder {parent} does not exist")
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers queue up front instead of failing on lock upgrade mid-transaction;
        # readers take no lock and see a consistent WAL snapshot.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that serialises writers on the audit head (lands whole or not at all)."""
    with engine.begin() as connection:
        connection.execute(sa.select(audit_head.c.seq).with_for_update()).first()
        yield connection


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A read-only consistent view (a transaction that is always rolled back)."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        try:
            yield connection
        finally:
            connection.rollback()


def fetch_literal(connection: Connection, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a statement with no parameters, straight from the driver's cursor.

    For the hot paths of a traversal, whose statements inline integer ids: skipping
    SQLAlchemy's row processing halves their cost. Only for columns that need no type
    processing (integers, text), and never for text that came from a caller.
    """
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()
