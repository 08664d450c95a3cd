"""index the batch columns the after-import steps select by

Revision ID: lp02
Revises: lp01

The steps that run after an import (lead matching, the intake gate, list re-matching, the
accounts import's re-matching and re-gating of leads) select the records the import created
or changed: ``last_batch_id = N`` (and the gate ``import_batch_id = N OR last_batch_id = N``).
Without an index each of them reads the whole lead or account table, however small the
import; with one, an import of 10 leads into a CRM of a million reads 10 rows.
"""

from __future__ import annotations

from alembic import op

revision = "lp02"
down_revision = "lp01"
branch_labels = None
depends_on = None

INDEXED = {
    "lead": ("last_batch_id", "import_batch_id"),
    "account": ("last_batch_id", "import_batch_id"),
}


def upgrade() -> None:
    for table, columns in INDEXED.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.create_index(f"ix_{table}_{column}", [column])


def downgrade() -> None:
    for table, columns in INDEXED.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_index(f"ix_{table}_{column}")
