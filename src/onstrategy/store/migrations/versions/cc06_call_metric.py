"""per-call metrics in real columns, for portable aggregation (issue 6, consultative selling)

Revision ID: cc06_call_metric
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cc06_call_metric"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_metric",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("strategy_version", sa.String(length=64), nullable=True),
        sa.Column("talk_ratio_basis", sa.String(length=10), nullable=True),
        sa.Column("talk_ratio", sa.Float(), nullable=True),
        sa.Column("questions", sa.Integer(), nullable=True),
        sa.Column("questions_open", sa.Integer(), nullable=True),
        sa.Column("open_question_share", sa.Float(), nullable=True),
        sa.Column("discovery_share", sa.Float(), nullable=True),
        sa.Column("insight_share", sa.Float(), nullable=True),
        sa.Column("pitch_share", sa.Float(), nullable=True),
        sa.Column("longest_monologue", sa.Float(), nullable=True),
        sa.Column("longest_monologue_basis", sa.String(length=10), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_metric")),
    )


def downgrade() -> None:
    op.drop_table("call_metric")
