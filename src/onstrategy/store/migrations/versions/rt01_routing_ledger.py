"""routing ledger: weighted round-robin state per territory and rep (issue 3, "Right leads")

Revision ID: rt01_routing_ledger
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rt01_routing_ledger"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_ledger",
        sa.Column("territory_id", sa.String(length=64), nullable=False),
        sa.Column("rep_id", sa.String(length=64), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("credit", sa.Float(), nullable=False),
        sa.Column("last_decision_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("territory_id", "rep_id", name=op.f("pk_routing_ledger")),
    )
    with op.batch_alter_table("routing_decision") as batch_op:
        batch_op.create_index("ix_routing_decision_territory", ["territory_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("routing_decision") as batch_op:
        batch_op.drop_index("ix_routing_decision_territory")
    op.drop_table("routing_ledger")
