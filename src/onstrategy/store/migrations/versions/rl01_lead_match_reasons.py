"""lead match status and reasons; review-queue reasons (issue 3, "Right leads")

Revision ID: rl01_lead_match
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rl01_lead_match"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lead") as batch_op:
        batch_op.add_column(sa.Column("match_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("match_reasons", sa.JSON(), nullable=True))
    with op.batch_alter_table("match_review") as batch_op:
        batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_review") as batch_op:
        batch_op.drop_column("comment")
        batch_op.drop_column("score")
        batch_op.drop_column("reasons")
    with op.batch_alter_table("lead") as batch_op:
        batch_op.drop_column("match_reasons")
        batch_op.drop_column("match_status")
