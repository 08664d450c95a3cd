"""Throughput of lead-to-account matching: 100,000 leads against 1,000,000 accounts.

Data (seeded, generated here): account names composed from the real name words of the
company graph (``../shared/data/companies/company_graph_variants.csv``; a built-in word
list when it is absent), weighted by how often each word occurs there, plus generic words
("Group", "Systems"), legal forms (Inc, GmbH, plc …) and cities, so there are thousands of
look-alikes per common word. 60 % of accounts have a website. Queries are 75 % variants of
accounts (legal form dropped, case changed, "&" spelled out, a typo, a work email or a
free-mail address) and 25 % made-up companies (a new composition plus "Studio", "Bakery"
or "Clinic"; some look like existing accounts, as in real life).

Measured: index build time, queries per second, peak memory (RSS). Baseline on the same
data: the naive loop ``rapidfuzz.process.extractOne(query, all_names, scorer=WRatio)`` over
a sample of queries (it compares each query with every account), reported per query and
as a ratio.

Run: ``.venv/bin/python benchmarks/bench_matching_throughput.py`` (1M / 100k, a few
minutes on 2 cores) or ``--quick`` (100k / 10k).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psutil
from rapidfuzz import fuzz, process, utils

from onstrategy.engines.matching import AccountIndex, MatchRecord

VARIANTS = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "companies"
    / "company_graph_variants.csv"
)
FALLBACK_WORDS = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "stark",
    "wayne",
    "wonka",
    "tyrell",
    "cyberdyne",
    "soylent",
    "hooli",
    "pied",
    "piper",
    "vandelay",
    "monarch",
    "aperture",
    "oscorp",
    "massive",
    "dynamic",
    "blue",
    "sun",
    "gringotts",
    "duff",
    "nakatomi",
]
GENERIC = [
    "Group",
    "Systems",
    "Solutions",
    "Holdings",
    "Technologies",
    "Services",
    "Partners",
    "International",
    "Consulting",
    "Labs",
    "Industries",
    "Capital",
    "Networks",
    "Bank",
]
LEGAL = [
    "Inc",
    "Inc.",
    "LLC",
    "Ltd",
    "Limited",
    "Corp",
    "Corporation",
    "GmbH",
    "AG",
    "plc",
    "S.A.",
    "SAS",
    "B.V.",
    "Pty Ltd",
    "Co.",
    "& Co",
    "",
]
CITIES = [
    ("Austin", "TX", "US"),
    ("Boston", "MA", "US"),
    ("Chicago", "IL", "US"),
    ("Seattle", "WA", "US"),
    ("New York", "NY", "US"),
    ("London", "", "GB"),
    ("Paris", "", "FR"),
    ("Berlin", "", "DE"),
    ("Munich", "", "DE"),
    ("Toronto", "ON", "CA"),
    ("Sydney", "NSW", "AU"),
    ("Madrid", "", "ES"),
    ("Milan", "", "IT"),
    ("Tokyo", "", "JP"),
]
FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "web.de", "orange.fr"]
T = TypeVar("T")


def name_words() -> tuple[list[str], list[int]]:
    if not VARIANTS.exists():
        return FALLBACK_WORDS, [1] * len(FALLBACK_WORDS)
    counts: Counter[str] = Counter()
    with VARIANTS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            counts.update(w for w in row["normalized_name"].split() if w.isalpha() and len(w) > 2)
    words = sorted(counts)
    return words, [counts[w] for w in words]


def make_accounts(n: int, rng: random.Random) -> list[MatchRecord]:
    words, weights = name_words()
    cores = rng.choices(words, weights, k=n * 3)
    accounts = []
    for i in range(n):
        size = rng.choice((1, 1, 2, 2, 2, 3))
        core = [w.capitalize() for w in cores[i * 3 : i * 3 + size]]
        parts = [*core]
        if rng.random() < 0.35:
            parts.append(rng.choice(GENERIC))
        legal = rng.choice(LEGAL)
        name = " ".join(parts) + (f" {legal}" if legal else "")
        city, state, country = rng.choice(CITIES)
        site = f"www.{''.join(core).lower()}{i % 97}.com" if rng.random() < 0.6 else None
        accounts.append(
            MatchRecord(f"A{i}", name, website=site, city=city, state=state, country=country)
        )
    return accounts


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    k = rng.randrange(1, len(word) - 1)
    return word[:k] + word[k + 1] + word[k] + word[k + 2 :]


def variant(account: MatchRecord, rng: random.Random) -> MatchRecord:
    words = (account.name or "").split()
    if words[-1].rstrip(".") in {w.rstrip(".") for w in LEGAL if w} and len(words) > 1:
        words = words[:-1]
    style = rng.random()
    if style < 0.3:
        name = " ".join(words).upper() + " INC"
    elif style < 0.5:
        name = "The " + " ".join(words)
    elif style < 0.6:
        name = " ".join([_typo(words[0], rng), *words[1:]])
    else:
        name = " ".join(words)
    email = None
    if account.website and rng.random() < 0.5:
        email = "jo@" + account.website.removeprefix("www.")
    elif rng.random() < 0.3:
        email = "jo@" + rng.choice(FREE_MAIL)
    return MatchRecord(
        f"Q-{account.id}",
        name.replace(" & ", " and "),
        email=email,
        city=account.city if rng.random() < 0.5 else None,
    )


def make_queries(accounts: list[MatchRecord], n: int, rng: random.Random) -> list[MatchRecord]:
    known = [variant(a, rng) for a in rng.sample(accounts, int(n * 0.75))]
    fresh = make_accounts(n - len(known), random.Random(rng.random()))
    unknown = [
        MatchRecord(f"U{i}", f"{a.name} {rng.choice(['Studio', 'Bakery', 'Clinic'])}")
        for i, a in enumerate(fresh)
    ]
    queries = known + unknown
    rng.shuffle(queries)
    return queries


def timed(label: str, fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<44} {elapsed:8.1f} s")
    return value, elapsed


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="100k accounts, 10k queries")
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--queries", type=int)
    parser.add_argument("--baseline-sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    n_accounts = args.accounts or (100_000 if args.quick else 1_000_000)
    n_queries = args.queries or (10_000 if args.quick else 100_000)
    sample = min(args.baseline_sample, 50 if args.quick else args.baseline_sample)
    rng = random.Random(args.seed)
    print(f"matching throughput: {n_accounts:,} accounts, {n_queries:,} queries (seed {args.seed})")
    accounts, _ = timed("generate accounts", lambda: make_accounts(n_accounts, rng))
    queries, _ = timed("generate queries", lambda: make_queries(accounts, n_queries, rng))
    before = rss_mb()
    index, build = timed("build index", lambda: AccountIndex.build(accounts))
    after_build = rss_mb()
    results, run = timed("match all queries", lambda: list(index.match_many(queries)))
    peak = max(after_build, rss_mb())
    statuses = Counter(r.status for r in results)
    right = sum(
        r.to_id == q.id.removeprefix("Q-")
        for q, r in zip(queries, results, strict=True)
        if r.status == "matched"
    )
    names = [utils.default_process(a.name or "") for a in accounts]
    picked = queries[:sample]

    def naive() -> list[object]:
        return [
            process.extractOne(q.name, names, scorer=fuzz.WRatio, processor=utils.default_process)
            for q in picked
        ]

    _, naive_time = timed(f"naive extractOne loop, {sample} queries", naive)
    ours = n_queries / run
    theirs = sample / naive_time
    print(
        f"  index build: {build:.1f} s ({n_accounts / build:,.0f} accounts/s); "
        f"memory: {before:,.0f} MB before, {after_build:,.0f} MB after build, "
        f"peak {peak:,.0f} MB RSS"
    )
    print(
        f"  onstrategy: {ours:,.0f} queries/s ({1000 / ours:.2f} ms/query), "
        f"{n_queries:,} queries in {run:.1f} s; {dict(statuses)}; "
        f"{right:,} matched to the account they were made from"
    )
    print(
        f"  naive loop: {theirs:.2f} queries/s ({1000 / theirs:,.0f} ms/query) "
        f"-> would need {n_queries / theirs / 3600:,.1f} h for all queries"
    )
    print(f"  ratio: {ours / theirs:,.0f}x faster than the naive loop (single process each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
