"""Claim: matching leads on the store costs little beyond the matching engine itself.

``match_leads`` reads leads in keyset pages, matches them with one ``AccountIndex``, writes
account, score, status and reasons, and syncs the review queue, a page per transaction.
Baseline, run beside it on the same demo company: the engine alone (index built once,
``match`` over the same records held in memory, nothing read or written). The ratio is the
store's overhead; leads per second give the time a million leads would take.

    .venv/bin/python benchmarks/bench_lead_matching_store.py [--scale 1.0] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from onstrategy.crm.lead_matching import account_records, load_account_index, match_leads
from onstrategy.demo import generate_demo, write_demo
from onstrategy.engines.matching import AccountIndex, MatchRecord
from onstrategy.ingest.bundle import import_bundle
from onstrategy.store import tables
from onstrategy.store.connect import Store

TODAY = date(2026, 11, 30)


def lead_records(store: Store) -> list[MatchRecord]:
    lead = tables.lead
    query = sa.select(
        lead.c.id,
        lead.c.company,
        lead.c.domain,
        lead.c.website,
        lead.c.email,
        lead.c.city,
        lead.c.state,
        lead.c.country,
    )
    with store.begin() as conn:
        return [
            MatchRecord(
                id=r.id,
                name=r.company,
                domain=r.domain,
                website=r.website,
                email=r.email,
                city=r.city,
                state=r.state,
                country=r.country,
            )
            for r in conn.execute(query)
        ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true", help="scale 0.2")
    args = parser.parse_args()
    scale = 0.2 if args.quick else args.scale
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        write_demo(generate_demo(seed=7, scale=scale, today=TODAY), folder)
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        import_bundle(store=store, directory=folder, as_of=TODAY, actor="bench")
        records = lead_records(store)

        start = time.perf_counter()
        with store.begin() as conn:
            index = AccountIndex.build(account_records(conn))
        for record in records:
            index.match(record)
        engine = time.perf_counter() - start

        start = time.perf_counter()
        run = match_leads(
            store=store,
            now=datetime.now(UTC),
            everything=True,
            index=load_account_index(store=store),
        )
        on_store = time.perf_counter() - start
        store.close()
    n = len(records)
    print(f"{n:,} leads against {len(index.references):,} accounts (demo scale {scale})")
    print(f"  engine alone (baseline): {engine:6.2f} s  {n / engine:8,.0f} leads/s")
    print(
        f"  match_leads on SQLite:   {on_store:6.2f} s  {n / on_store:8,.0f} leads/s  "
        f"({run.counts['matched']:,} matched, {run.counts['ambiguous']:,} to review)"
    )
    print(
        f"  ratio store/engine: {on_store / engine:.2f}x; "
        f"a million leads ≈ {1e6 / (n / on_store) / 60:.0f} min"
    )


if __name__ == "__main__":
    main()
