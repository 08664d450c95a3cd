"""Claim: an accounts import reaches the leads waiting for an account in seconds, not minutes.

After an accounts import, ``crm.account_import`` screens every lead with no account against
the accounts the import created or changed only, matches those screened in against every
account, and has the intake gate judge again the leads whose account changed. Measured: an
import of 1,000 new accounts into a CRM of 20,000 accounts and 50,000 leads waiting for an
account (real company names from ../shared/data/companies when present; 5% of the waiting
leads work at the new accounts (``--share``), a third of all leads on a free-mail address).
``--accounts 200000`` shows a larger CRM, where the screen saves more.

Baseline, run beside it in the same process on a copy of the same database: the same import
with the hook taken out (the named lists' hook still runs). The ratio is what the hook adds.

    .venv/bin/python benchmarks/bench_accounts_import_hook.py [--quick]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from onstrategy.crm.account_import import after_accounts_import
from onstrategy.crm.lead_matching import match_leads
from onstrategy.ingest.importer import AFTER_IMPORT, import_file
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy

ROOT = Path(__file__).resolve().parents[1]
COMPANIES = ROOT.parent / "shared" / "data" / "companies" / "company_graph_variants.csv"
STRATEGY = ROOT / "src" / "onstrategy" / "data" / "demo" / "strategy.yaml"
AS_OF = date(2026, 11, 30)
WORDS = ["Summit", "Granite", "Harbor", "Pioneer", "Meridian", "Cascade", "Beacon", "Atlas",
         "Keystone", "Redwood", "Falcon", "Liberty", "Orchard", "Sterling", "Vertex"]  # fmt: skip
TRADES = ["Logistics", "Dental", "Foods", "Plastics", "Capital", "Clinics", "Metals", "Media"]
STATES = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "WA", "MA"]


def companies(rng: random.Random) -> list[list[str]]:
    """Companies, each its name variants (the real ones when the shared data is there)."""
    if COMPANIES.exists():
        with COMPANIES.open(encoding="utf-8") as handle:
            clusters: dict[str, list[str]] = {}
            for row in csv.DictReader(handle):
                clusters.setdefault(row["cluster_id"], []).append(row["normalized_name"])
        found = [names for names in clusters.values() if names[0].strip()]
    else:
        found = [[f"{a} {b} {t}"] for a in WORDS for b in WORDS for t in TRADES]
    rng.shuffle(found)
    return found


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:40] or "company"


def build(path: Path, existing: int, leads: int, new: int, share: float) -> Path:
    """The CRM before the import (rows written directly), and the import's CSV file: a
    ``share`` of the waiting leads work at the arriving companies."""
    rng = random.Random(7)
    firms = companies(rng)
    waiting, arriving = firms[new:], firms[:new]
    store = Store.open(f"sqlite:///{path}")
    with store.begin() as conn:
        conn.execute(tables.account.insert(), [_account(i, rng) for i in range(existing)])
        rows = [_lead(i, rng, arriving if rng.random() < share else waiting) for i in range(leads)]
        for start in range(0, len(rows), 5000):
            conn.execute(tables.lead.insert(), rows[start : start + 5000])
    store.close()
    out = path.parent / "new-accounts.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Account ID", "Account Name", "Website", "Industry", "Employees",
                         "Billing State/Province", "Billing Country"])  # fmt: skip
        for i, names in enumerate(arriving):
            writer.writerow([f"N{i:06d}", names[0].title(), f"www.{slug(names[0])}.com",
                             "Manufacturing", rng.choice([40, 800, 5000]), rng.choice(STATES),
                             "US"])  # fmt: skip
    return out


def _account(i: int, rng: random.Random) -> dict[str, Any]:
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {i}"
    return {"id": f"A{i:07d}", "name": name, "domain": f"{slug(name)}.com",
            "state": rng.choice(STATES), "country": "US", "gate_status": "active",
            "import_batch_id": None, "last_batch_id": None}  # fmt: skip


def _lead(i: int, rng: random.Random, firms: list[list[str]]) -> dict[str, Any]:
    names = rng.choice(firms)
    company = rng.choice(names).title()
    mail = "gmail.com" if i % 3 == 0 else f"{slug(names[0])}.com"
    own = {"industry": None, "employees": 20, "annual_revenue": None, "country": "US",
           "state": "CA", "named_lists": []}  # fmt: skip
    return {"id": f"L{i:07d}", "company": company, "email": f"p{i}@{mail}", "country": "US",
            "state": "CA", "employees": 20, "match_status": "none", "gate_status": "quarantined",
            "gate_reasons": {"decision": "quarantined", "score": 0.0, "tier": "D",
                             "judged_on": "its own firmographics", "basis": own}}  # fmt: skip


def timed_import(db: Path, accounts: Path, *, hook: bool) -> tuple[float, list[str]]:
    hooks = AFTER_IMPORT["accounts"]
    kept = list(hooks)
    if not hook:
        hooks.remove(after_accounts_import)
    try:
        store = Store.open(f"sqlite:///{db}")
        start = time.perf_counter()
        result = import_file(store=store, kind="accounts", path=accounts,
                             strategy=load_strategy(STRATEGY), as_of=AS_OF)  # fmt: skip
        seconds = time.perf_counter() - start
        with store.begin() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(tables.lead)).scalar()
        store.close()
    finally:
        hooks[:] = kept
    return seconds, result.notes


def rematch_everything(db: Path) -> float:
    """What the hook's screening saves: ``matches run`` over every lead waiting, after the
    import (without the hook), against every account."""
    store = Store.open(f"sqlite:///{db}")
    start = time.perf_counter()
    match_leads(store=store, now=datetime.now(UTC))
    seconds = time.perf_counter() - start
    store.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a fifth of the size")
    parser.add_argument("--accounts", type=int, default=20_000, help="accounts in the CRM")
    parser.add_argument("--share", type=float, default=0.05,
                        help="waiting leads' share that work at the new accounts")  # fmt: skip
    args = parser.parse_args()
    existing, leads, new = (4_000, 10_000, 200) if args.quick else (args.accounts, 50_000, 1_000)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "crm.db"
        accounts = build(source, existing, leads, new, args.share)
        for name in ("without.db", "with.db"):
            shutil.copy(source, Path(tmp) / name)
        without, _ = timed_import(Path(tmp) / "without.db", accounts, hook=False)
        with_hook, notes = timed_import(Path(tmp) / "with.db", accounts, hook=True)
        naive = rematch_everything(Path(tmp) / "without.db")
    print(f"import of {new:,} new accounts into {existing:,} accounts and {leads:,} leads "
          f"waiting for an account, {args.share:.0%} of them at the new ones (SQLite)")  # fmt: skip
    print(f"  without the hook (baseline): {without:6.2f} s")
    print(f"  with the hook:               {with_hook:6.2f} s  "
          f"(the hook: {with_hook - without:.2f} s)")  # fmt: skip
    print(f"  ratio with/without: {with_hook / without:.1f}x")
    print(f"  for scale: matching every waiting lead against every account instead "
          f"(`matches run`, no gate): {naive:.2f} s")  # fmt: skip
    for note in notes:
        print(f"  note: {note}")


if __name__ == "__main__":
    main()
