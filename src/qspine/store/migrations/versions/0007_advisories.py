"""Offline vulnerability database: OSV advisories, the packages they name, their aliases

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "advisory",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("osv_id", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("modified", _UTC, nullable=True),
        sa.Column("published", _UTC, nullable=True),
        sa.Column("withdrawn", _UTC, nullable=True),
        sa.Column("aliases", _JSON, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("record", _JSON, nullable=False),
        sa.Column("imported_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisory")),
        sa.UniqueConstraint("osv_id", name=op.f("uq_advisory_osv_id")),
    )
    op.create_table(
        "advisory_package",
        sa.Column("advisory_id", _ID, nullable=False),
        sa.Column("ecosystem", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisory_id"], ["advisory.id"], name=op.f("fk_advisory_package_advisory_id_advisory")
        ),
        sa.PrimaryKeyConstraint(
            "advisory_id", "ecosystem", "name", name=op.f("pk_advisory_package")
        ),
    )
    op.create_index(
        op.f("ix_advisory_package_ecosystem_name_advisory_id"),
        "advisory_package",
        ["ecosystem", "name", "advisory_id"],
    )
    op.create_table(
        "advisory_alias",
        sa.Column("advisory_id", _ID, nullable=False),
        sa.Column("alias", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisory_id"], ["advisory.id"], name=op.f("fk_advisory_alias_advisory_id_advisory")
        ),
        sa.PrimaryKeyConstraint("advisory_id", "alias", name=op.f("pk_advisory_alias")),
    )
    op.create_index(
        op.f("ix_advisory_alias_alias_advisory_id"), "advisory_alias", ["alias", "advisory_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_advisory_alias_alias_advisory_id"), table_name="advisory_alias")
    op.drop_table("advisory_alias")
    op.drop_index(
        op.f("ix_advisory_package_ecosystem_name_advisory_id"), table_name="advisory_package"
    )
    op.drop_table("advisory_package")
    op.drop_table("advisory")
