"""Bring a database to the newest schema with Alembic (one named migration per change)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from qspine.model.audit import GENESIS
from qspine.store.schema import audit_head

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> bool:
    """Upgrade to head if needed; seed the audit head row. True when anything ran."""
    if current_revision(engine) == head_revision():
        return False
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        has_head = connection.execute(sa.select(sa.func.count()).select_from(audit_head)).scalar()
        if not has_head:
            connection.execute(audit_head.insert().values(id=1, seq=0, hash=GENESIS))
    return True
