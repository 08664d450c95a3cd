"""Synthetic CRM exports for benchmarks: seeded, realistic column mix, any size."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

INDUSTRIES = [
    "Manufacturing",
    "Healthcare",
    "Financial Services",
    "Retail",
    "Education",
    "Government",
    "Technology",
    "Energy & Utilities",
    "Hospitality",
    "Construction",
]
STATES = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "WA", "AZ", "MA", "CO"]
COUNTRIES = ["United States", "US", "USA", "Canada", "Germany", "United Kingdom"]
WORDS = [
    "Summit",
    "Granite",
    "Harbor",
    "Pioneer",
    "Meridian",
    "Cascade",
    "Beacon",
    "Atlas",
    "Keystone",
    "Redwood",
    "Falcon",
    "Liberty",
    "Orchard",
    "Sterling",
    "Vertex",
    "Bluewater",
]
SUFFIXES = ["Inc.", "LLC", "Corp", "Group", "Holdings", "Co.", "", "", ""]


def write_accounts(path: Path, rows: int, *, seed: int = 1) -> Path:
    rng = random.Random(seed)
    header = [
        "Account ID",
        "Account Name",
        "Website",
        "Industry",
        "Employees",
        "Annual Revenue",
        "Billing Country",
        "Billing State/Province",
        "Billing City",
        "Created Date",
        "Rating",
    ]
    start = date(2015, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
            employees = int(rng.lognormvariate(5, 1.6))
            writer.writerow(
                [
                    f"001{i:015d}",
                    f"{name} {rng.choice(SUFFIXES)}".strip(),
                    f"www.{name.lower().replace(' ', '')}.com",
                    rng.choice(INDUSTRIES),
                    employees,
                    round(employees * rng.uniform(1e5, 4e5), -3),
                    rng.choice(COUNTRIES),
                    rng.choice(STATES),
                    "Springfield",
                    (start + timedelta(days=i % 3650)).isoformat(),
                    rng.choice(["Hot", "Warm", "Cold", ""]),
                ]
            )
    return path
