"""routing load indexes: count a rep's accounts and open leads from an index alone

Revision ID: rt02_routing_load_indexes
Revises: rt01_routing_ledger

Routing skips reps at capacity, so each round-robin decision counts the active accounts and
open leads of the territory's reps. With an index on owner only, each count visits every
row the rep owns (about 27 ms for five reps with 3,000 accounts each on SQLite); these
covering indexes answer it from the index (issue 3, "Right leads").
"""

from __future__ import annotations

from alembic import op

revision = "rt02_routing_load_indexes"
down_revision = "rt01_routing_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch_op:
        batch_op.create_index("ix_account_owner_gate", ["owner_id", "gate_status"])
    with op.batch_alter_table("lead") as batch_op:
        batch_op.create_index("ix_lead_owner_status", ["owner_id", "status", "created_on"])


def downgrade() -> None:
    with op.batch_alter_table("lead") as batch_op:
        batch_op.drop_index("ix_lead_owner_status")
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_index("ix_account_owner_gate")
