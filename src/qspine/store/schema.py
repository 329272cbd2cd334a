"""The spine's tables (SQLAlchemy Core). Alembic migrations create exactly these.

One record table, one version table, one link table, one audit log: every kind of quality
record lives here; the profile, not the schema, says what a kind is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in Python on every dialect (SQLite keeps naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a UTC time")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Hash = sa.String(64)

key_counter = sa.Table(
    "key_counter",
    metadata,
    sa.Column("prefix", sa.String(10), primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

record = sa.Table(
    "record",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("key", sa.String(32), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    # Derived, kept in the same transaction so lists and suspect checks need no scan:
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("released_version", sa.Integer, nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "kind", "status"),
)

version = sa.Table(
    "version",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("fields", Json, nullable=False),
    sa.Column("fingerprint", Hash, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.UniqueConstraint("record_id", "number"),
)

transition = sa.Table(
    "transition",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("version_number", sa.Integer, nullable=False),
    sa.Column("from_status", sa.String(32), nullable=True),
    sa.Column("to_status", sa.String(32), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("by", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("signature_id", Id, sa.ForeignKey("signature.id"), nullable=True),
    sa.Index(None, "record_id", "at"),
)

link = sa.Table(
    "link",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("source_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("target_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("target_version", sa.Integer, nullable=False),
    sa.Column("target_fingerprint", Hash, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("confirmed_at", UTCDateTime, nullable=True),
    sa.Column("confirmed_by", sa.String(64), nullable=True),
    sa.Column("removed_at", UTCDateTime, nullable=True),
    sa.Column("removed_by", sa.String(64), nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    # Covering indexes: a trace step reads a link from the index alone, no table lookup.
    sa.Index(None, "source_id", "type", "removed_at", "target_id", "target_version"),
    sa.Index(None, "target_id", "type", "removed_at", "source_id", "target_version"),
    sa.Index(
        "uq_link_active",
        "type",
        "source_id",
        "target_id",
        unique=True,
        sqlite_where=sa.text("removed_at IS NULL"),
        postgresql_where=sa.text("removed_at IS NULL"),
    ),
)

link_stamp = sa.Table(
    "link_stamp",
    metadata,
    # Every review stamp a link has carried (made, then each confirm): what the source's
    # author reviewed and when, so suspect marks can be rebuilt as of any past instant.
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("link_id", Id, sa.ForeignKey("link.id"), nullable=False),
    sa.Column("target_version", sa.Integer, nullable=False),
    sa.Column("target_fingerprint", Hash, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("by", sa.String(64), nullable=False),
    sa.Index(None, "link_id", "at"),
)

baseline_member = sa.Table(
    "baseline_member",
    metadata,
    # The record versions a baseline record holds; its version fields carry their manifest.
    sa.Column("baseline_id", Id, sa.ForeignKey("record.id"), primary_key=True),
    sa.Column("record_id", Id, sa.ForeignKey("record.id"), primary_key=True),
    sa.Column("version_number", sa.Integer, nullable=False),
    sa.Column("fingerprint", Hash, nullable=False),
)

signature = sa.Table(
    "signature",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("version_number", sa.Integer, nullable=False),
    sa.Column("signer", sa.String(64), nullable=False),
    sa.Column("printed_name", sa.String(200), nullable=False),
    sa.Column("meaning", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("fingerprint", Hash, nullable=False),
    sa.Column("binding", Hash, nullable=False),
    sa.Index(None, "record_id", "version_number"),
)

audit_event = sa.Table(
    "audit_event",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("before", Hash, nullable=True),
    sa.Column("after", Hash, nullable=True),
    sa.Column("payload", Json, nullable=False),
    sa.Column("prev_hash", Hash, nullable=False),
    sa.Column("hash", Hash, nullable=False),
    sa.Column("related", sa.String(200), nullable=True),
    sa.Index(None, "subject"),
    sa.Index(None, "related"),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", Hash, nullable=False),
)

app_user = sa.Table(
    "app_user",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False),
    sa.Column("locked_until", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("password_changed_at", UTCDateTime, nullable=False),
)

user_role = sa.Table(
    "user_role",
    metadata,
    sa.Column("user_id", Id, sa.ForeignKey("app_user.id"), primary_key=True),
    sa.Column("role", sa.String(64), primary_key=True),
)

blob = sa.Table(
    "blob",
    metadata,
    sa.Column("sha256", Hash, primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(128), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)

finding_suppression = sa.Table(
    "finding_suppression",
    metadata,
    # A readiness finding accepted on purpose (one occurrence: rule, record, place), with
    # its reason; revoking keeps the row. Both are audit events too.
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(32), nullable=False),
    sa.Column("occurrence", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("revoked_by", sa.String(64), nullable=True),
    sa.Column("revoke_reason", sa.Text, nullable=True),
    sa.Index(None, "rule", "subject"),
)

readiness_run = sa.Table(
    "readiness_run",
    metadata,
    # Each live readiness check: its score and findings, for the trend of the next run.
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("packs", sa.String(200), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("counts", Json, nullable=False),
    sa.Column("findings", Json, nullable=False),
    sa.Column("run_by", sa.String(64), nullable=False),
    sa.Index(None, "packs", "at"),
)

api_token = sa.Table(
    "api_token",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("user_id", Id, sa.ForeignKey("app_user.id"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", Hash, nullable=False, unique=True),
    sa.Column("prefix", sa.String(12), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("last_used_at", UTCDateTime, nullable=True),
)

web_session = sa.Table(
    "web_session",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("session_hash", Hash, nullable=False, unique=True),
    sa.Column("user_id", Id, sa.ForeignKey("app_user.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime, nullable=True),
)

advisory = sa.Table(
    "advisory",
    metadata,
    # The offline vulnerability database: one OSV record each, as imported (its JSON and the
    # SHA-256 of its canonical form), so a re-import writes only what changed.
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("osv_id", sa.String(128), nullable=False, unique=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("modified", UTCDateTime, nullable=True),
    sa.Column("published", UTCDateTime, nullable=True),
    sa.Column("withdrawn", UTCDateTime, nullable=True),
    sa.Column("aliases", Json, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("digest", Hash, nullable=False),
    sa.Column("record", Json, nullable=False),
    sa.Column("imported_at", UTCDateTime, nullable=False),
)

advisory_package = sa.Table(
    "advisory_package",
    metadata,
    # The packages an advisory names, as matching looks them up: OSV ecosystem without its
    # release suffix ('Debian:11' -> 'Debian') and the name as the ecosystem compares it.
    sa.Column("advisory_id", Id, sa.ForeignKey("advisory.id"), primary_key=True),
    sa.Column("ecosystem", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(400), primary_key=True),
    sa.Index(None, "ecosystem", "name", "advisory_id"),
)

advisory_alias = sa.Table(
    "advisory_alias",
    metadata,
    # Every identifier an advisory goes by (its own id and its aliases): CVE / GHSA / PYSEC / GO.
    sa.Column("advisory_id", Id, sa.ForeignKey("advisory.id"), primary_key=True),
    sa.Column("alias", sa.String(128), primary_key=True),
    sa.Index(None, "alias", "advisory_id"),
)

validation_execution = sa.Table(
    "validation_execution",
    metadata,
    # Every execution of a model validation run, the first ('run') and each 'rerun': who ran
    # it, when, its exit code, its verdict, the SHA-256 of its execution record JSON in the
    # blob store (command, inputs, environment, metrics, criteria, outputs) and, for a
    # rerun, the differences from the run it repeats. Append-only, like the audit trail.
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime, nullable=False),
    sa.Column("exit_code", sa.Integer, nullable=False),
    sa.Column("verdict", sa.String(32), nullable=False),
    sa.Column("execution_sha256", Hash, nullable=False),
    sa.Column("log_sha256", Hash, nullable=True),
    sa.Column("differences", Json, nullable=False),
    sa.Index(None, "record_id", "version", "id"),
)

monitoring_point = sa.Table(
    "monitoring_point",
    metadata,
    # Post-market performance and drift series: one value per deployed model version, site,
    # metric and observation time, with the SHA-256 of the file it was ingested from.
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", Id, sa.ForeignKey("record.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("site", sa.String(200), nullable=False),
    sa.Column("metric", sa.String(200), nullable=False),
    sa.Column("observed_at", UTCDateTime, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("source_sha256", Hash, nullable=False),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    sa.Column("ingested_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("record_id", "version", "site", "metric", "observed_at"),
)
