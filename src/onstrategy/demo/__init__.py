"""The demo company: one seeded generator for tests, ``make demo``, the docs and browser tests.

TechDistro is modelled on the article's cases: a technology distributor that sold hardware
to IT managers and purchasing, and on 2025-12-01 added installation and managed services
that senior IT buyers (VP, CIO) approve. It has about 5,000 accounts, twenty reps in four
teams (West, Central, East and Strategic Accounts for a Fortune-1000-style named list),
two years of leads, opportunities, contacts, activities and some recorded calls, and a
strategy file with a version before and after the shift.

The reps sell in four ways (``PERSONAS``): ``on_strategy``, ``chaser``, ``familiar`` and
``pitcher`` (see :mod:`onstrategy.demo.deals`). The twenty reps, their managers and the
strategy file are the same at every ``scale``; only the number of records changes.

    company = generate_demo(seed=7, scale=0.1)
    paths = write_demo(company, Path("demo"))
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from onstrategy.demo import rows
from onstrategy.demo.calls import make_calls
from onstrategy.demo.crm import Contact, make_contacts, make_leads, settle_dates
from onstrategy.demo.deals import Book, first_seen, make_activities, make_deals, rep_habits
from onstrategy.demo.firms import make_market
from onstrategy.demo.people import PERSONAS, availability_rows, team_rows, user_rows
from onstrategy.strategy.load import parse_strategy

__all__ = ["FILES", "PERSONAS", "DemoCompany", "generate_demo", "strategy_text", "write_demo"]

FILES = {
    "strategy": "strategy.yaml",
    "teams": "teams.csv",
    "users": "users.csv",
    "availability": "availability.csv",
    "accounts": "accounts.csv",
    "contacts": "contacts.csv",
    "leads": "leads.csv",
    "opportunities": "opportunities.csv",
    "opportunity_contacts": "opportunity_contacts.csv",
    "activities": "activities.csv",
    "fortune-1000": "fortune-1000.csv",
    "calls": "calls.csv",
    "transcripts": "transcripts",
}
"""Record kind → file name inside the demo directory."""


@dataclass(frozen=True)
class DemoCompany:
    """Everything ``write_demo`` writes.

    ``rows`` maps each kind in ``FILES`` (but ``strategy`` and ``transcripts``) to its rows,
    each a dict from export column header to the text written in the CSV; ``transcripts``
    maps a file name relative to the demo folder (``transcripts/call-00001.vtt``) to its text.
    """

    seed: int
    scale: float
    today: date
    strategy_text: str
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    transcripts: dict[str, str] = field(default_factory=dict)  # file name -> transcript


def strategy_text() -> str:
    """The demo's strategy file, which is also the product's commented example."""
    source = resources.files("onstrategy").joinpath("data/demo/strategy.yaml")
    return source.read_text(encoding="utf-8")


def generate_demo(
    *, seed: int = 7, scale: float = 1.0, today: date = date(2026, 11, 30)
) -> DemoCompany:
    """The demo company, the same for the same arguments; ``scale`` multiplies record counts."""
    if scale <= 0:
        raise ValueError(f"scale must be above 0, got {scale}")
    text = strategy_text()
    strategy = parse_strategy(text, source="demo strategy.yaml")
    before, after = strategy.versions[0], strategy.versions[-1]
    if today <= after.effective_from:
        raise ValueError(f"today must be after the strategy shift ({after.effective_from})")

    def rng(stage: str) -> random.Random:
        return random.Random(f"{seed}:{stage}")

    accounts, white_space = make_market(
        rng("market"), scale=scale, today=today, versions=list(strategy.versions)
    )
    contacts = make_contacts(rng("contacts"), accounts, today)
    by_account: dict[str, list[Contact]] = {}
    for contact in contacts:
        by_account.setdefault(contact.account.id, []).append(contact)
    start = today - timedelta(days=729)
    book = Book(accounts, by_account, start, after.effective_from, today, (before.id, after.id))
    habits = rep_habits(rng("habits"))
    deals = make_deals(rng("deals"), book, habits, scale)
    activities = make_activities(rng("activities"), book, habits, deals, scale)
    settle_dates(accounts, contacts, first_seen(deals, activities))
    leads = make_leads(rng("leads"), accounts=accounts, scale=scale, start=start, today=today)
    calls, transcripts = make_calls(rng("calls"), deals, activities, scale)
    mess = rng("mess")
    named = sorted([a for a in accounts if a.fortune_rank] + white_space,
                   key=lambda f: f.fortune_rank or 0)  # fmt: skip
    table = {
        "teams": team_rows(),
        "users": user_rows(),
        "availability": availability_rows(),
        "accounts": [rows.account_row(mess, a) for a in accounts],
        "contacts": [rows.contact_row(c) for c in contacts],
        "leads": [rows.lead_row(mess, lead) for lead in leads],
        "opportunities": [rows.opportunity_row(d) for d in deals],
        "opportunity_contacts": [r for d in deals for r in rows.opportunity_contact_rows(d)],
        "activities": [rows.activity_row(a) for a in activities],
        "fortune-1000": rows.fortune_rows(mess, named),
        "calls": calls,
    }
    return DemoCompany(seed, scale, today, text, table, transcripts)


_OUR_TRANSCRIPT = re.compile(r"^call-\d{5}\.(txt|vtt|srt|json)$")


def write_demo(company: DemoCompany, out_dir: Path) -> dict[str, Path]:
    """Write the strategy, one CSV per kind and the transcripts; return kind → path.

    Writing again into the same folder replaces what an earlier run wrote, including
    transcripts it no longer has, so the folder always holds exactly one company.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"strategy": out_dir / FILES["strategy"]}
    paths["strategy"].write_text(company.strategy_text, encoding="utf-8", newline="")
    for kind, records in company.rows.items():
        paths[kind] = out_dir / FILES[kind]
        paths[kind].write_text(to_csv(records), encoding="utf-8", newline="")
    folder = paths["transcripts"] = out_dir / FILES["transcripts"]
    folder.mkdir(exist_ok=True)
    for stale in folder.iterdir():
        if (
            _OUR_TRANSCRIPT.match(stale.name)
            and f"{folder.name}/{stale.name}" not in company.transcripts
        ):
            stale.unlink()
    for name, text in company.transcripts.items():
        (out_dir / name).write_text(text, encoding="utf-8", newline="")
    return paths


def to_csv(records: list[dict[str, str]]) -> str:
    if not records:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()
