"""Claim: the portable (Ibis) report shares cost little over hand-written SQL at scale.

1,000,000 opportunities on 100,000 accounts. The same shares (pipeline and bookings from
ICP accounts, per owner) computed two ways in the same process, on the same database:
onstrategy's Ibis expressions (``share_facts``) and one hand-written SQL query. The two
must agree to the cent before either is timed. Runs on SQLite, and on PostgreSQL too when
ONSTRATEGY_TEST_POSTGRES_URL is set.

    .venv/bin/python benchmarks/bench_report.py [--opportunities N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from onstrategy.reports.alignment import share_facts
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy

STRATEGY = """
name: Bench Co
versions:
  - id: v1
    effective_from: 2020-01-01
    icp:
      segments:
        - name: US mid-market
          industries: [Manufacturing, Healthcare, Retail]
          employees: {min: 500}
          countries: [US]
      tiers: {A: 90, B: 60, C: 30}
"""
INDUSTRIES = ["Manufacturing", "Healthcare", "Retail", "Education", "Technology", "Government"]
START, END = date(2025, 1, 1), date(2025, 12, 31)

HAND_SQL = """
WITH fit AS (
  SELECT id,
    ROUND(((CASE WHEN LOWER(TRIM(industry)) IN ('manufacturing','healthcare','retail')
                 THEN 30 ELSE 0 END)
         + (CASE WHEN employees IS NOT NULL AND employees >= 500 THEN 25 ELSE 0 END)
         + (CASE WHEN country IN ('US') THEN 10 ELSE 0 END)) * 100.0 / 65, 1) AS score
  FROM account
), icp AS (SELECT id FROM fit WHERE score >= 60)
SELECT owner_id, 'pipeline' AS metric, SUM(COALESCE(amount, 0)) AS total,
       SUM(CASE WHEN account_id IN (SELECT id FROM icp) THEN COALESCE(amount, 0) ELSE 0 END) AS icp
FROM opportunity WHERE created_on BETWEEN :lo AND :hi GROUP BY owner_id
UNION ALL
SELECT owner_id, 'bookings', SUM(COALESCE(amount, 0)),
       SUM(CASE WHEN account_id IN (SELECT id FROM icp) THEN COALESCE(amount, 0) ELSE 0 END)
FROM opportunity WHERE is_won AND closed_on BETWEEN :lo AND :hi GROUP BY owner_id
"""


def fill(store: Store, accounts: int, opportunities: int) -> None:
    rng = random.Random(3)
    users = [{"id": f"u{i}", "name": f"Rep {i}", "role": "rep", "active": True} for i in range(20)]
    acc = [
        {
            "id": f"a{i}",
            "name": f"Account {i}",
            "industry": rng.choice(INDUSTRIES),
            "employees": int(rng.lognormvariate(5.5, 1.5)),
            "country": rng.choice(["US", "US", "CA"]),
            "gate_status": "active",
        }
        for i in range(accounts)
    ]
    with store.begin() as conn:
        conn.execute(tables.user.insert(), users)
        conn.execute(tables.account.insert(), acc)
        batch = []
        for i in range(opportunities):
            created = START + timedelta(days=rng.randrange(365))
            won = rng.random() < 0.3
            batch.append(
                {
                    "id": f"o{i}",
                    "account_id": f"a{rng.randrange(accounts)}",
                    "owner_id": f"u{rng.randrange(20)}",
                    "amount": round(rng.uniform(1e3, 2e5), 2),
                    "created_on": created,
                    "is_closed": won,
                    "is_won": won,
                    "closed_on": created + timedelta(days=rng.randrange(120)) if won else None,
                }
            )
            if len(batch) == 50_000:
                conn.execute(tables.opportunity.insert(), batch)
                batch = []
        if batch:
            conn.execute(tables.opportunity.insert(), batch)


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    runs, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), value


def bench(label: str, store: Store, repeat: int) -> None:
    strategy = parse_strategy(STRATEGY)

    def ibis_way() -> dict:
        rows = (
            share_facts(store=store, strategy=strategy, date_from=START, date_to=END)
            .to_pyarrow()
            .to_pylist()
        )
        return {
            (r["owner_id"], r["metric"]): (round(r["total"], 2), round(r["icp"], 2))
            for r in rows
            if r["metric"] in ("pipeline", "bookings")
        }

    def hand_way() -> dict:
        with store.engine.connect() as conn:
            rows = conn.execute(sa.text(HAND_SQL), {"lo": START, "hi": END}).all()
        return {(o, m): (round(t, 2), round(i, 2)) for o, m, t, i in rows}

    ours_s, ours = timed(ibis_way, repeat)
    hand_s, hand = timed(hand_way, repeat)
    assert ours == hand, "the Ibis shares and the hand-written SQL disagree"
    print(
        f"  {label:<11} Ibis report shares {ours_s:6.2f} s   hand-written SQL {hand_s:6.2f} s"
        f"   ratio {ours_s / hand_s:5.2f}x   (identical results: {len(ours)} owner×metric rows)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 opportunities")
    args = parser.parse_args()
    opps = 100_000 if args.quick else args.opportunities
    accounts = max(opps // 10, 1000)
    print(f"report shares over {opps:,} opportunities on {accounts:,} accounts (median of 3)")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        fill(store, accounts, opps)
        bench("SQLite", store, 3)
        store.close()
    pg = os.environ.get("ONSTRATEGY_TEST_POSTGRES_URL")
    if pg:
        name = f"onstrategy_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            store = Store.open(sa.make_url(pg).set(database=name).render_as_string(False))
            fill(store, accounts, opps)
            with store.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
            bench("PostgreSQL", store, 3)
            store.close()
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        print("  PostgreSQL  skipped (set ONSTRATEGY_TEST_POSTGRES_URL)", file=sys.stderr)


if __name__ == "__main__":
    main()
