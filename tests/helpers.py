"""Test helpers: valid sample field values from the profile, and database fingerprints."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qspine import Settings, Spine
from qspine.demo import DemoSummary
from qspine.model.profile import FieldSpec, Profile

PASSWORD = "correct horse battery"
# Real argon2id, at a cost that keeps the suite quick (production default: t=3, m=64 MiB).
FAST_HASH = {"hash_time_cost": 1, "hash_memory_kib": 1024}
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass
class Result:
    """What one in-process `qspine` run returned and printed."""

    code: int
    out: str
    err: str


Invoke = Callable[..., Result]


@dataclass(frozen=True)
class DemoTemplate:
    """The demo seeded once per test session (per xdist worker) in `folder`: its database,
    blobs and the CytoAssist model's data. Seeding trains and validates a real model, so
    modules copy it (`demo_copy`) instead of seeding their own."""

    folder: Path
    summary: DemoSummary


def demo_copy(template: DemoTemplate, folder: Path) -> str:
    """A private copy of the seeded demo in `folder` (made if missing): its database URL.

    The dataset records' `location` still names the template's data folder, which lives
    as long as the session; tests must not change those files."""
    shutil.copytree(template.folder, folder, dirs_exist_ok=True)
    return f"sqlite:///{folder / 'demo.db'}"


def settings_for(url: str, tmp_path: Path) -> Settings:
    """Settings for a test spine: its own blob folder, cheap (but real) argon2id."""
    return Settings(database_url=url, blob_dir=tmp_path / "blobs", **FAST_HASH)


_SAMPLES: dict[str, Any] = {
    "text": "sample text",
    "markdown": "Sample *markdown*.",
    "int": 3,
    "float": 0.5,
    "bool": True,
    "date": "2026-03-01",
    "datetime": "2026-03-01T10:00:00Z",
}


def sample_value(spec: FieldSpec) -> Any:
    if spec.type == "enum":
        return spec.values[0]
    if spec.type == "list":
        return [spec.values[0]] if spec.items == "enum" else [_SAMPLES.get(spec.items or "text")]
    return _SAMPLES[spec.type]


def sample_fields(profile: Profile, kind: str, title: str = "Sample") -> dict[str, Any]:
    """Values for every required field of `kind` (no required field is a ref)."""
    spec = profile.kinds[kind]
    fields = {name: sample_value(f) for name, f in spec.fields.items() if f.required}
    fields[spec.title_field] = title
    return fields


TABLES = (
    "record",
    "version",
    "transition",
    "link",
    "signature",
    "audit_event",
    "app_user",
    "key_counter",
    "blob",
)


def database_state(spine: Spine) -> dict[str, Any]:
    """Row counts of every table and the audit head: equal before/after means nothing written."""
    state: dict[str, Any] = {}
    with spine.context.engine.connect() as connection:
        for table in TABLES:
            state[table] = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
        state["head"] = tuple(connection.execute(sa.text("SELECT seq, hash FROM audit_head")).one())
        state["records"] = connection.execute(
            sa.text("SELECT key, latest_version, status, released_version FROM record ORDER BY id")
        ).all()
    return state


def tamper_fields(spine: Spine, key: str, **changes: Any) -> None:
    """Edit version 1's stored content behind the services' back, as an attacker with SQL would."""
    from qspine.store.schema import record, version

    with spine.context.engine.begin() as connection:
        record_id = connection.execute(
            sa.select(record.c.id).where(record.c.key == key)
        ).scalar_one()
        where = (version.c.record_id == record_id) & (version.c.number == 1)
        fields = connection.execute(sa.select(version.c.fields).where(where)).scalar_one()
        connection.execute(version.update().where(where).values(fields={**fields, **changes}))


def db_state(path: Path) -> tuple[object, ...]:
    """Every row of every table: identical tuples mean the file's content did not change."""
    with sqlite3.connect(path) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
            )
        ]
        return tuple(tuple(connection.execute(f"SELECT * FROM {t}").fetchall()) for t in tables)


def sign_cli(
    invoke: Invoke,
    user: str,
    key: str,
    meaning: str,
    version: int,
    password: str = PASSWORD,
    as_json: bool = False,
) -> Result:
    """`qspine -u USER sign KEY --meaning M --expect V --password-stdin` with `password`."""
    extra = ["--json"] if as_json else []
    return invoke(
        "-u",
        user,
        "sign",
        key,
        "--meaning",
        meaning,
        "--expect",
        str(version),
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    """A test clock: every reading is one second after the last; `mark` leaves a gap."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now

    def mark(self) -> dt.datetime:
        """An instant after everything so far and before anything that follows."""
        self.now += dt.timedelta(minutes=1)
        return self.now


def approve(spine: Spine, key: str, number: int = 1) -> None:
    """quinn submits version `number` of `key` for review; ada approves it (a signature)."""
    spine.records.transition("quinn", key, "in_review", number)
    spine.signing.sign("ada", PASSWORD, key, "approved", number)
