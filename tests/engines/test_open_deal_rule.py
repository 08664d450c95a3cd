"""The open-deal rule has two forms (``engines.definitions``): ``open_on`` in Ibis for
set-based reports, ``deal_open_on`` in Python for one deal already read (the exception
workflow). They must agree on every kind of deal, on both databases."""

from __future__ import annotations

from datetime import date
from itertools import product

import sqlalchemy as sa

from onstrategy.engines.definitions import deal_open_on, open_deals
from onstrategy.store import tables
from onstrategy.store.connect import Store

DAYS = (None, date(2026, 1, 10), date(2026, 2, 1), date(2026, 3, 1))
ASKED = (date(2026, 1, 9), date(2026, 1, 10), date(2026, 2, 1), date(2026, 2, 2), date(2026, 9, 1))


def test_the_ibis_and_python_forms_of_an_open_deal_agree(store: Store) -> None:
    deals = [
        {"id": f"O{n}", "name": f"deal {n}", "is_closed": closed, "is_won": False,
         "created_on": created, "closed_on": closed_on, "amount": 1.0}
        for n, (closed, created, closed_on) in enumerate(product((False, True), DAYS, DAYS))
    ]  # fmt: skip
    with store.begin() as conn:
        conn.execute(tables.opportunity.insert(), deals)
        rows = conn.execute(sa.select(tables.opportunity)).mappings().all()
    assert len(rows) == 32
    for day in ASKED:
        ibis_open = {r["id"] for r in open_deals(store=store, as_of=day).to_pyarrow().to_pylist()}
        python_open = {row["id"] for row in rows if deal_open_on(row, day)}
        assert ibis_open == python_open, day
        assert "O0" in python_open  # open, dates unknown: open every day
    assert not any(deal_open_on(r, date(2026, 9, 1)) for r in rows if r["is_closed"])
