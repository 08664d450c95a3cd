"""leads on a named-account list whose company has no account yet (issue 3, "Right leads")

Revision ID: rl02_lead_list
Revises: rl01_lead_match
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rl02_lead_list"
down_revision = "rl01_lead_match"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_list_match",
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("lead_id", "list_id", name=op.f("pk_lead_list_match")),
    )


def downgrade() -> None:
    op.drop_table("lead_list_match")
