"""Baselines: the record versions each baseline record holds

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "baseline_member",
        sa.Column("baseline_id", _ID, nullable=False),
        sa.Column("record_id", _ID, nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["baseline_id"], ["record.id"], name=op.f("fk_baseline_member_baseline_id_record")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_baseline_member_record_id_record")
        ),
        sa.PrimaryKeyConstraint("baseline_id", "record_id", name=op.f("pk_baseline_member")),
    )


def downgrade() -> None:
    op.drop_table("baseline_member")
