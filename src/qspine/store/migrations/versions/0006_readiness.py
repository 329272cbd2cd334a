"""Readiness: finding suppressions and recorded check runs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "finding_suppression",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("occurrence", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", _UTC, nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_suppression")),
    )
    op.create_index(
        op.f("ix_finding_suppression_rule_subject"),
        "finding_suppression",
        ["rule", "subject"],
    )
    op.create_table(
        "readiness_run",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("packs", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("counts", _JSON, nullable=False),
        sa.Column("findings", _JSON, nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_run")),
    )
    op.create_index(op.f("ix_readiness_run_packs_at"), "readiness_run", ["packs", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_readiness_run_packs_at"), table_name="readiness_run")
    op.drop_table("readiness_run")
    op.drop_index(op.f("ix_finding_suppression_rule_subject"), table_name="finding_suppression")
    op.drop_table("finding_suppression")
