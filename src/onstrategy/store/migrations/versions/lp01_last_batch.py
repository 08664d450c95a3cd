"""the last import that wrote each record; what a person's lead match was decided on

Revision ID: lp01
Revises: 0001

``import_batch_id`` is the import that *created* a record. The steps that run after an
import (lead matching, the intake gate, list re-matching) must also see the records a later
import *changed* (a new company, email domain or country), so every table an import writes
gets ``last_batch_id``: the import that last inserted or changed the record (unchanged rows
keep theirs). Existing records start with the import that created them.

``lead.match_basis``: the company and domain a person's match decision was taken on, so a
re-import that changes them re-opens the decision and one that changes anything else
leaves it alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lp01"
down_revision = "0001"
branch_labels = None
depends_on = None

IMPORTED = (
    "team",
    "user_account",
    "availability",
    "account",
    "contact",
    "lead",
    "opportunity",
    "opportunity_contact",
    "activity",
)


def upgrade() -> None:
    for name in IMPORTED:
        op.add_column(name, sa.Column("last_batch_id", sa.Integer(), nullable=True))
        op.execute(
            f'UPDATE "{name}" SET last_batch_id = import_batch_id WHERE import_batch_id IS NOT NULL'
        )
    op.add_column("lead", sa.Column("match_basis", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lead") as batch_op:
        batch_op.drop_column("match_basis")
    for name in IMPORTED:
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_column("last_batch_id")
