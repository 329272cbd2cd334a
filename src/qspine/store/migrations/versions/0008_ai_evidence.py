"""Clinical AI evidence: validation executions (runs and reruns) and monitoring series

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "validation_execution",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("record_id", _ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("started_at", _UTC, nullable=False),
        sa.Column("finished_at", _UTC, nullable=False),
        sa.Column("exit_code", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("execution_sha256", sa.String(length=64), nullable=False),
        sa.Column("log_sha256", sa.String(length=64), nullable=True),
        sa.Column("differences", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_validation_execution_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_execution")),
    )
    op.create_index(
        op.f("ix_validation_execution_record_id_version_id"),
        "validation_execution",
        ["record_id", "version", "id"],
    )
    op.create_table(
        "monitoring_point",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("record_id", _ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=200), nullable=False),
        sa.Column("observed_at", _UTC, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("ingested_at", _UTC, nullable=False),
        sa.Column("ingested_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_monitoring_point_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_point")),
        sa.UniqueConstraint(
            "record_id",
            "version",
            "site",
            "metric",
            "observed_at",
            name=op.f("uq_monitoring_point_record_id_version_site_metric_observed_at"),
        ),
    )


def downgrade() -> None:
    op.drop_table("monitoring_point")
    op.drop_index(
        op.f("ix_validation_execution_record_id_version_id"), table_name="validation_execution"
    )
    op.drop_table("validation_execution")
