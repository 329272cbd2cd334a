"""The Alembic migrations create exactly the tables the code declares, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from qspine.store.engine import create_spine_engine
from qspine.store.migrate import alembic_config, current_revision, head_revision, migrate
from qspine.store.schema import metadata


def test_migrations_match_the_declared_schema_and_downgrade(db_url: str) -> None:
    engine = create_spine_engine(db_url)
    try:
        assert migrate(engine) is True
        assert migrate(engine) is False, "a migrated database is left alone"
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert differences == []
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path: object) -> None:
    engine = create_spine_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
