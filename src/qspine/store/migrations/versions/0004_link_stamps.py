"""Link review stamps keep their history; covering link indexes for traversal

Existing links are backfilled from the audit trail: the stamp a link was made with (the
first confirm's `from_version`, or the current stamp if it was never confirmed), then one
stamp per `link.confirm` event.

The two link indexes gain the columns a trace step reads, so SQLite walks links from the
index alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)
# The tables as they stand at this revision (not the live schema, which may move on).
link = sa.table(
    "link",
    sa.column("id", _ID),
    sa.column("target_version", sa.Integer),
    sa.column("target_fingerprint", sa.String),
    sa.column("created_at", _WHEN),
    sa.column("created_by", sa.String),
)
audit_event = sa.table(
    "audit_event",
    sa.column("seq", sa.BigInteger),
    sa.column("at", _WHEN),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("version", sa.Integer),
    sa.column("before", sa.String),
    sa.column("after", sa.String),
    sa.column("payload", sa.JSON),
)


def upgrade() -> None:
    stamps = op.create_table(
        "link_stamp",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("link_id", _ID, nullable=False),
        sa.Column("target_version", sa.Integer(), nullable=False),
        sa.Column("target_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["link.id"], name=op.f("fk_link_stamp_link_id_link")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_stamp")),
    )
    op.create_index(op.f("ix_link_stamp_link_id_at"), "link_stamp", ["link_id", "at"])
    op.bulk_insert(stamps, _backfill(op.get_bind()))
    for end, _ in _ENDS:
        op.drop_index(f"ix_link_{end}_type", table_name="link")
        op.create_index(_covering(end), "link", _COVERING[end])


_ENDS = (("source_id", "target_id"), ("target_id", "source_id"))
_COVERING = {end: [end, "type", "removed_at", other, "target_version"] for end, other in _ENDS}


def _covering(end: str) -> str:
    return "ix_link_" + "_".join(_COVERING[end])


def _backfill(connection: sa.Connection) -> list[dict[str, Any]]:
    confirms: dict[int, list[Any]] = {}
    events = connection.execute(
        sa.select(audit_event.c.at, audit_event.c.actor, audit_event.c.version)
        .add_columns(audit_event.c.before, audit_event.c.after, audit_event.c.payload)
        .where(audit_event.c.action == "link.confirm")
        .order_by(audit_event.c.seq)
    )
    for event in events:
        confirms.setdefault(int(event.payload["link"]), []).append(event)
    rows = []
    for made in connection.execute(sa.select(link)):
        history = confirms.get(made.id, [])
        first = history[0] if history else None
        rows.append(
            {
                "link_id": made.id,
                "target_version": first.payload["from_version"] if first else made.target_version,
                "target_fingerprint": first.before if first else made.target_fingerprint,
                "at": made.created_at,
                "by": made.created_by,
            }
        )
        rows += [
            {
                "link_id": made.id,
                "target_version": event.version,
                "target_fingerprint": event.after,
                "at": event.at,
                "by": event.actor,
            }
            for event in history
        ]
    return rows


def downgrade() -> None:
    for end, _ in _ENDS:
        op.drop_index(_covering(end), table_name="link")
        op.create_index(f"ix_link_{end}_type", "link", [end, "type"])
    op.drop_index(op.f("ix_link_stamp_link_id_at"), table_name="link_stamp")
    op.drop_table("link_stamp")
