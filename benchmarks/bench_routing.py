"""Lead routing under load: single decisions per second, p50/p99 latency, bulk throughput.

Data (seeded, generated here): the demo company's strategy file (TechDistro: a named-list
territory and three US regions, twenty reps, version fy26-services in force; capacities
multiplied by 20 to fit a book 10 times the demo's, so reps are not all full) over a
synthetic store of 50,000 accounts (US states, the demo industries, 5-50,000 employees,
owned by a rep of their region; 2 % on the Fortune-1000 list) and 20,000 unassigned leads
(30 % matched to an account, a third of those to an account without an owner). Two reps
are out of office on the routing date and one is inactive.

After loading, the database is analysed (``ANALYZE``; ``VACUUM ANALYZE`` on PostgreSQL) as
a live database would be. Measured, in the same process and store:

* **baseline** — the floor any router pays per decision: in one transaction, read the lead
  by primary key and INSERT one ``routing_decision`` row;
* **single** — ``route_lead`` one lead at a time (its own transaction, as the API calls it):
  decisions per second, p50 and p99 latency, and the ratio to the baseline;
* **bulk** — ``route_unassigned`` over the remaining unassigned leads (one transaction per
  decision, oldest first): decisions per second.

Run: ``.venv/bin/python benchmarks/bench_routing.py`` (50k accounts / 20k leads / 2,000
single decisions) or ``--quick`` (5k / 2k / 300). It runs on a fresh SQLite file under /tmp,
then, when ``ONSTRATEGY_TEST_POSTGRES_URL`` names a server (``make bench`` sets it), on a fresh
PostgreSQL database that is dropped afterwards; ``--database-url`` picks one database instead.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from onstrategy.demo import strategy_text
from onstrategy.engines.routing import route_lead, route_unassigned, unassigned_lead_ids
from onstrategy.store import tables as t
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

AS_OF = date(2026, 11, 30)
INDUSTRIES = [
    "Manufacturing",
    "Healthcare",
    "Financial Services",
    "Education",
    "Government",
    "Retail",
    "Hospitality",
    "Professional Services",
    "Logistics",
    "Media",
]
OTHER_STATES = ["ON", "BC"]


def bench_strategy() -> Strategy:
    """The demo strategy with capacities scaled to a 50,000-account book (x20)."""
    text = re.sub(r"capacity: (\d+)", lambda m: f"capacity: {int(m[1]) * 20}", strategy_text())
    return parse_strategy(text, source="demo strategy.yaml (capacities x20)")


def build(store: Store, strategy: Strategy, accounts: int, leads: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    version = strategy.version_on(AS_OF)
    regions = [
        (tr.rules.states, [c.rep for c in tr.reps]) for tr in version.territories if tr.rules.states
    ]
    with store.begin() as conn:
        conn.execute(
            t.user.insert(),
            [
                {"id": r.id, "name": r.name, "email": r.email, "role": r.role, "active": True}
                for r in strategy.reps
            ],
        )
        conn.execute(t.account.insert(), [_account(rng, i, regions) for i in range(accounts)])
        conn.execute(
            t.named_list_entry.insert(),
            [
                {"list_id": "fortune-1000", "entry_key": f"k{i}", "account_id": f"A{i:07d}"}
                for i in range(0, accounts, 50)
            ],
        )
        conn.execute(t.lead.insert(), [_lead(rng, i, accounts, regions) for i in range(leads)])
        reps = [r for _, region in regions for r in region]
        for user, kind in (
            (reps[1], "out_of_office"),
            (reps[7], "out_of_office"),
            (reps[12], "inactive"),
        ):
            conn.execute(
                t.availability.insert().values(
                    user_id=user,
                    kind=kind,
                    starts_on=AS_OF - timedelta(days=3),
                    ends_on=AS_OF + timedelta(days=10),
                )
            )


def _account(rng: random.Random, i: int, regions: list[tuple[list[str], list[str]]]) -> dict:
    states, reps = rng.choice(regions)
    abroad = rng.random() < 0.03
    return {
        "id": f"A{i:07d}",
        "name": f"Account {i}",
        "country": "CA" if abroad else "US",
        "state": rng.choice(OTHER_STATES) if abroad else rng.choice(states),
        "industry": rng.choice(INDUSTRIES),
        "employees": int(rng.lognormvariate(6, 1.6)),
        "annual_revenue": rng.lognormvariate(17, 2),
        "owner_id": None if rng.random() < 0.1 else rng.choice(reps),
        "gate_status": "active",
    }


def _lead(
    rng: random.Random, i: int, accounts: int, regions: list[tuple[list[str], list[str]]]
) -> dict:
    states, _ = rng.choice(regions)
    matched = f"A{rng.randrange(accounts):07d}" if rng.random() < 0.3 else None
    return {
        "id": f"L{i:07d}",
        "country": "US",
        "state": rng.choice(states),
        "industry": rng.choice(INDUSTRIES),
        "employees": int(rng.lognormvariate(6.5, 1.6)),
        "annual_revenue": rng.lognormvariate(17.5, 2),
        "account_id": matched,
        "status": "New",
        "created_on": AS_OF - timedelta(days=i % 300),
        "gate_status": "active",
    }


def analyze(store: Store) -> None:
    """Statistics (and PostgreSQL's visibility map) as a live database has them."""
    statement = "VACUUM ANALYZE" if store.dialect == "postgresql" else "ANALYZE"
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(statement))


def baseline(store: Store, lead_ids: list[str]) -> list[float]:
    """Per decision: read the lead by primary key and insert one decision row."""
    out = []
    for lead_id in lead_ids:
        start = time.perf_counter()
        with store.begin() as conn:
            conn.execute(sa.select(t.lead).where(t.lead.c.id == lead_id)).first()
            conn.execute(
                t.routing_decision.insert().values(
                    lead_id=lead_id,
                    decided_at=datetime.now(UTC),
                    as_of=AS_OF,
                    strategy_version="baseline",
                    outcome="queue",
                    assigned_to="baseline",
                    rules=[],
                )
            )
        out.append(time.perf_counter() - start)
    with store.begin() as conn:
        conn.execute(
            t.routing_decision.delete().where(t.routing_decision.c.strategy_version == "baseline")
        )
    return out


def single(
    store: Store, strategy: Strategy, lead_ids: list[str]
) -> tuple[list[float], dict[str, list[float]]]:
    """Latency of each decision, overall and by the step that decided it."""
    out: list[float] = []
    by_step: dict[str, list[float]] = {}
    for lead_id in lead_ids:
        start = time.perf_counter()
        decision = route_lead(
            store=store, strategy=strategy, lead_id=lead_id, as_of=AS_OF, now=datetime.now(UTC)
        )
        elapsed = time.perf_counter() - start
        out.append(elapsed)
        how = decision.assigned_to if decision.outcome == "queue" else decision.steps[-1].rule
        by_step.setdefault(f"{decision.outcome}: {how}", []).append(elapsed)
    return out, by_step


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def show(label: str, seconds: list[float]) -> None:
    rate = len(seconds) / sum(seconds)
    print(
        f"  {label:<34} {rate:>9,.0f}/s   p50 {pct(seconds, 0.5) * 1e3:6.2f} ms   "
        f"p99 {pct(seconds, 0.99) * 1e3:6.2f} ms   mean {statistics.mean(seconds) * 1e3:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5k accounts, 2k leads")
    parser.add_argument("--database-url", help="one database to use (default: see below)")
    args = parser.parse_args()
    sizes = (5_000, 2_000, 300) if args.quick else (50_000, 20_000, 2_000)
    if args.database_url:
        measure(args.database_url, *sizes)
        return
    measure(_fresh_sqlite(), *sizes)
    server = os.environ.get("ONSTRATEGY_TEST_POSTGRES_URL")  # set by `make bench`
    if server:
        with _fresh_postgres(server) as url:
            measure(url, *sizes)


def measure(url: str, accounts: int, leads: int, singles: int) -> None:
    store = Store.open(url)
    strategy = bench_strategy()
    started = time.perf_counter()
    build(store, strategy, accounts, leads)
    analyze(store)
    print(
        f"\nstore {store.dialect}: {accounts:,} accounts, {leads:,} unassigned leads "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    ids = unassigned_lead_ids(store=store)
    base = baseline(store, ids[:singles])
    timings, by_step = single(store, strategy, ids[:singles])
    print(f"single decisions ({singles:,}):")
    show("baseline: read lead + insert row", base)
    show("route_lead", timings)
    print(
        f"  ratio to baseline: p50 {pct(timings, 0.5) / pct(base, 0.5):.1f}×, "
        f"mean {statistics.mean(timings) / statistics.mean(base):.1f}×"
    )
    for how, seconds in sorted(by_step.items()):
        show(f"  of which {how} ({len(seconds)})", seconds)
    started = time.perf_counter()
    bulk = route_unassigned(store=store, strategy=strategy, as_of=AS_OF, now=datetime.now(UTC))
    elapsed = time.perf_counter() - started
    print(
        f"bulk route_unassigned: {len(bulk):,} decisions in {elapsed:.1f} s = "
        f"{len(bulk) / elapsed:,.0f}/s"
    )
    store.close()


def _fresh_sqlite() -> str:
    path = Path(f"/tmp/onstrategy-bench-routing-{os.getpid()}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


@contextmanager
def _fresh_postgres(server: str) -> Iterator[str]:
    name = f"onstrategy_bench_routing_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(drivername="postgresql+psycopg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
