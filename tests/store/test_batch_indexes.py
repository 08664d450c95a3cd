"""The after-import steps find an import's records through an index (migration lp02), on
SQLite and PostgreSQL: an import of a few rows never reads the whole lead or account table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from onstrategy.store.connect import Store

INDEXED = [(t, c) for t in ("lead", "account") for c in ("last_batch_id", "import_batch_id")]


@pytest.mark.parametrize(("table", "column"), INDEXED)
def test_the_batch_columns_are_indexed_and_the_planner_uses_them(
    store: Store, table: str, column: str
) -> None:
    indexes = sa.inspect(store.engine).get_indexes(table)
    assert {"name": f"ix_{table}_{column}", "columns": [column]} in [
        {"name": i["name"], "columns": i["column_names"]} for i in indexes
    ]
    query = f'SELECT id FROM "{table}" WHERE {column} = 7'
    with store.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(sa.text("SET LOCAL enable_seqscan = off"))  # empty tables: scan is cheaper
            plan = " ".join(conn.execute(sa.text(f"EXPLAIN {query}")).scalars())
        else:
            plan = " ".join(r[-1] for r in conn.execute(sa.text(f"EXPLAIN QUERY PLAN {query}")))
    assert f"ix_{table}_{column}" in plan
