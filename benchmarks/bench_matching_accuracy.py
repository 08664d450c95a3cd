"""Precision and recall of name matching on real company data.

Data: ``../shared/data/companies/company_graph_variants.csv`` (``cluster_id,normalized_name``;
company-name variants grouped into clusters of the same company; company-graph, MIT).

Set-up (seeded, deterministic):

- **Reference side** (the accounts): one canonical name per cluster, the variant that is
  most central to its cluster (highest mean ``token_set_ratio`` to the other variants;
  ties go to the shorter, then alphabetical name). For a two-variant cluster that is the
  shorter one.
- **Queries** (the leads): other variants of each cluster, at most ``--cap`` per cluster
  (so the 600-variant Cisco cluster does not drown the rest).
- **Negatives**: ``--absent`` of the clusters are left out of the reference side; their
  variants must come back ``none`` (or ``ambiguous``), never a look-alike.
- **Split**: clusters are split 50/50 into *dev* (thresholds were tuned on it) and
  *held-out* (looked at only to report). Both are matched against the same reference
  side (all present clusters), so every query faces all ~9,000 look-alikes.

Figures: precision = right matches / all matches made; recall = right matches / queries
whose company is present. ``ambiguous`` (to review) counts as not matched. Groups:

- **all** (``dev`` / ``held-out``): every query, as the data has it.
- **name-evident**: the query shares a word of 3+ letters with its cluster's canonical
  name, or one is the initials of the other ("gmail" for Google, "alphabet waymo" for
  Google are not name-evident): what a person could decide from the name alone. The
  definition looks only at the data, never at the matcher. Absent clusters' queries stay
  in as negatives.
- **contains canonical**: the query holds every word of its cluster's canonical name
  (negatives kept likewise).
- **look-alikes**: the query's first normalised word starts another account's name.
- **noisy name** / **noisy variant**: real names with synthetic noise (:func:`noisy`:
  case, legal forms, "The", "&"/"&amp;", abbreviations, markup, ®/™, punctuation): each
  cluster's canonical name, and one variant holding every canonical word. The issue's
  "AMAZON COM INC" vs "Amazon" kind of case, against all ~8,800 accounts; absent
  clusters' names must not match. Its look-alike subgroup is the issue's "thousands of
  look-alike companies".

The data files parents, subsidiaries, country offices and acquisitions as separate
clusters ("sega america" is not Sega); a wrong match that is the matched account's whole
name plus other words is counted as that kind (a sample inspected by hand is in the
report), never relabelled. Thresholds and rules were tuned on dev only.

A small hand-made set of SEC-style legal names against brand names (facts the authors
know, typed in below) is reported separately.

Run: ``.venv/bin/python benchmarks/bench_matching_accuracy.py [--cap 5] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from onstrategy.engines.matching import AccountIndex, MatchRecord, normalize_company_name

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "companies"
VARIANTS = DATA / "company_graph_variants.csv"


def load_clusters(path: Path = VARIANTS) -> dict[str, list[str]]:
    clusters: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = (row["normalized_name"] or "").strip()
            if name and name not in clusters[row["cluster_id"]]:
                clusters[row["cluster_id"]].append(name)
    return {cid: names for cid, names in clusters.items() if len(names) >= 2}


def canonical(names: list[str]) -> str:
    """The variant made of the cluster's most shared words (what a CRM would hold).

    Score = mean, over the variant's words, of the share of the cluster's variants that
    contain the word; ties go to the shorter, then alphabetical, name.
    """
    words = [set(name.split()) for name in names]
    share: dict[str, float] = defaultdict(float)
    for variant in words:
        for word in variant:
            share[word] += 1 / len(names)

    def key(i: int) -> tuple[float, int, str]:
        mean = sum(share[w] for w in sorted(words[i])) / max(len(words[i]), 1)
        return (-mean, len(names[i]), names[i])

    return names[min(range(len(names)), key=key)]


@dataclass(frozen=True)
class Query:
    record: MatchRecord
    cluster: str
    present: bool
    split: str


@dataclass
class Tally:
    positives: int = 0
    negatives: int = 0
    right: int = 0
    wrong: int = 0
    review: int = 0

    @property
    def precision(self) -> float:
        made = self.right + self.wrong
        return self.right / made if made else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.positives if self.positives else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label:<34} precision {self.precision:6.3f}  recall {self.recall:6.3f}  "
            f"(queries {self.positives + self.negatives:>6}: {self.positives} present, "
            f"{self.negatives} absent; right {self.right}, wrong {self.wrong}, "
            f"to review {self.review})"
        )


def build_sets(
    clusters: dict[str, list[str]], *, seed: int, cap: int, absent: float
) -> tuple[list[MatchRecord], list[Query], dict[str, str]]:
    rng = random.Random(seed)
    ids = sorted(clusters)
    rng.shuffle(ids)
    split = {cid: ("dev" if i % 2 == 0 else "held-out") for i, cid in enumerate(ids)}
    missing = set(rng.sample(ids, int(len(ids) * absent)))
    canon = {cid: canonical(clusters[cid]) for cid in sorted(clusters)}
    references = [MatchRecord(cid, canon[cid]) for cid in sorted(clusters) if cid not in missing]
    queries: list[Query] = []
    for cid in sorted(clusters):
        others = [n for n in clusters[cid] if n != canon[cid]]
        for n, name in enumerate(rng.sample(others, min(cap, len(others)))):
            record = MatchRecord(f"{cid}:{n}", name)
            queries.append(Query(record, cid, cid not in missing, split[cid]))
    return references, queries, canon


def _words(name: str) -> set[str]:
    return {w for w in name.lower().split() if len(w) >= 3}


def name_evident(query: str, canon: str) -> bool:
    q, c = query.lower().split(), canon.lower().split()
    acronym = {"".join(w[0] for w in q), "".join(w[0] for w in c)}
    return bool(_words(query) & _words(canon)) or "".join(q) in acronym or "".join(c) in acronym


def lookalike_firsts(references: Iterable[MatchRecord]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for ref in references:
        if words := normalize_company_name(ref.name or "").split():
            counts[words[0]] += 1
    return counts


def _first(name: str) -> str:
    return (normalize_company_name(name).split() or [""])[0]


def evaluate(index: AccountIndex, queries: list[Query], canon: dict[str, str]) -> dict[str, Tally]:
    firsts = lookalike_firsts(index.references)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for query, result in zip(queries, index.match_many(q.record for q in queries), strict=True):
        name = query.record.name or ""
        first = _first(name)
        groups = [query.split]
        # Absent clusters' queries stay in these groups as negatives (must not match).
        if name_evident(name, canon[query.cluster]):
            groups.append(f"{query.split}, name-evident")
        if set(canon[query.cluster].split()) <= set(name.split()):
            groups.append(f"{query.split}, contains canonical")
        own = 1 if query.present and _first(canon[query.cluster]) == first else 0
        if firsts.get(first, 0) - own >= 1:
            groups.append(f"{query.split}, look-alikes")
        for group in groups:
            tally = tallies[group]
            tally.positives += query.present
            tally.negatives += not query.present
            if result.status == "matched":
                if result.to_id == query.cluster:
                    tally.right += 1
                else:
                    tally.wrong += 1
            elif result.status == "ambiguous":
                tally.review += 1
    return tallies


LEGAL_FORMS = [
    ", Inc.",
    " INC",
    " Corp.",
    " Corporation",
    " LLC",
    " Ltd",
    " Limited",
    " GmbH",
    " plc",
    " S.A.",
    " AG",
    " Co.",
    " Pvt. Ltd.",
    " B.V.",
    " S.p.A.",
    " Pty Ltd",
]
ABBREVIATE = {
    "international": "Intl",
    "technology": "Tech",
    "manufacturing": "Mfg",
    "services": "Svcs",
    "corporation": "Corp",
    "laboratories": "Labs",
    "associates": "Assoc",
    "university": "Univ",
    "and": "&",
}


def noisy(name: str, rng: random.Random) -> str:
    """A real name dressed as a CRM export would have it (synthetic noise): case, legal
    form, "The", "&"/"&amp;", abbreviations, markup, trademark signs, punctuation."""
    words = name.split()
    if rng.random() < 0.4:
        words = [ABBREVIATE.get(w, w) for w in words]
    text = " ".join(words)
    text = rng.choice([str.upper, str.title, str.lower, lambda t: t])(text)
    if rng.random() < 0.3 and len(words) > 1:
        text = text.replace(" ", ", ", 1) if rng.random() < 0.5 else text.replace(" ", "-", 1)
    if rng.random() < 0.6:
        text += rng.choice(LEGAL_FORMS)
    if rng.random() < 0.2:
        text = "The " + text
    if rng.random() < 0.25:
        text = rng.choice(["<b>{}</b>", "{}®", "{}™", "{} &amp; Co.", '"{}"', "{}."]).format(text)
    return text


def build_noisy(
    clusters: dict[str, list[str]], canon: dict[str, str], queries: list[Query], *, seed: int
) -> list[Query]:
    """Per cluster: its canonical name with synthetic noise, and one of its variants that
    holds every canonical word, with noise. Present/absent and split as in the graph set."""
    rng = random.Random(seed + 1)
    meta = {q.cluster: (q.present, q.split) for q in queries}
    out: list[Query] = []
    for cid in sorted(meta):
        present, split = meta[cid]
        want = set(canon[cid].split())
        holding = [n for n in clusters[cid] if n != canon[cid] and want <= set(n.split())]
        pairs = [("name", canon[cid])]
        if holding:
            pairs.append(("variant", rng.choice(sorted(holding))))
        for kind, name in pairs:
            record = MatchRecord(f"{cid}:noisy-{kind}", noisy(name, rng))
            out.append(Query(record, cid, present, f"{split}, noisy {kind}"))
    return out


def parent_like(index: AccountIndex, queries: list[Query]) -> tuple[int, int, list[str]]:
    """Wrong matches, and how many of them are the whole matched name plus other words
    ("staples portugal" -> Staples while the data files Staples Portugal apart): the
    parent/subsidiary/office kind of label disagreement. Counted, never relabelled."""
    names = {r.id: normalize_company_name(r.name or "") for r in index.references}
    wrong = contained = 0
    sample: list[str] = []
    for query in queries:
        result = index.match(query.record)
        if result.status != "matched" or result.to_id == query.cluster:
            continue
        wrong += 1
        mine = set(normalize_company_name(query.record.name or "").split())
        if set(names[result.to_id or ""].split()) <= mine:
            contained += 1
            sample.append(f"{query.record.name!r} -> {names[result.to_id or '']!r}")
    return wrong, contained, sample


# Legal names (as filed with the SEC or a registry) and the brand a lead would type.
LEGAL_VS_BRAND: list[tuple[str, str, str]] = [
    ("AMAZON COM INC", "Amazon", "amazon.com"),
    ("ALPHABET INC", "Alphabet", "abc.xyz"),
    ("INTERNATIONAL BUSINESS MACHINES CORP", "IBM", "ibm.com"),
    ("PROCTER & GAMBLE CO", "Procter and Gamble", "pg.com"),
    ("PROCTER & GAMBLE CO", "P&G", "pg.com"),
    ("3M CO", "3M", "3m.com"),
    ("AT&T INC", "AT&T", "att.com"),
    ("MICROSOFT CORP", "Microsoft", "microsoft.com"),
    ("APPLE INC", "Apple", "apple.com"),
    ("META PLATFORMS INC", "Meta Platforms", "meta.com"),
    ("WALMART INC", "Walmart", "walmart.com"),
    ("EXXON MOBIL CORP", "ExxonMobil", "exxonmobil.com"),
    ("JOHNSON & JOHNSON", "Johnson and Johnson", "jnj.com"),
    ("JPMORGAN CHASE & CO", "JPMorgan Chase", "jpmorganchase.com"),
    ("BANK OF AMERICA CORP /DE/", "Bank of America", "bankofamerica.com"),
    ("COCA COLA CO", "The Coca-Cola Company", "coca-cola.com"),
    ("PEPSICO INC", "PepsiCo", "pepsico.com"),
    ("GENERAL ELECTRIC CO", "GE", "ge.com"),
    ("GENERAL MOTORS CO", "General Motors", "gm.com"),
    ("FORD MOTOR CO", "Ford Motor Company", "ford.com"),
    ("DELTA AIR LINES, INC.", "Delta Air Lines", "delta.com"),
    ("AMERICAN AIRLINES GROUP INC", "American Airlines", "aa.com"),
    ("AMERICAN EXPRESS CO", "American Express", "americanexpress.com"),
    ("UNITED PARCEL SERVICE INC", "UPS", "ups.com"),
    ("HOME DEPOT, INC.", "The Home Depot", "homedepot.com"),
    ("MCDONALDS CORP", "McDonald's", "mcdonalds.com"),
    ("NIKE, INC.", "Nike", "nike.com"),
    ("ORACLE CORP", "Oracle Corporation", "oracle.com"),
    ("CISCO SYSTEMS, INC.", "Cisco", "cisco.com"),
    ("INTEL CORP", "Intel Corporation", "intel.com"),
    ("HEWLETT PACKARD ENTERPRISE CO", "Hewlett Packard Enterprise", "hpe.com"),
    ("SALESFORCE, INC.", "Salesforce", "salesforce.com"),
    ("NETFLIX INC", "Netflix", "netflix.com"),
    ("GOLDMAN SACHS GROUP INC", "Goldman Sachs", "goldmansachs.com"),
    ("MORGAN STANLEY", "Morgan Stanley", "morganstanley.com"),
    ("WELLS FARGO & COMPANY/MN", "Wells Fargo", "wellsfargo.com"),
    ("CATERPILLAR INC", "Caterpillar", "caterpillar.com"),
    ("BOEING CO", "Boeing", "boeing.com"),
    ("LOCKHEED MARTIN CORP", "Lockheed Martin", "lockheedmartin.com"),
    ("UNITEDHEALTH GROUP INC", "UnitedHealth Group", "unitedhealthgroup.com"),
    ("SIEMENS AKTIENGESELLSCHAFT", "Siemens AG", "siemens.com"),
    ("NESTLE S.A.", "Nestlé", "nestle.com"),
    ("BP P.L.C.", "BP", "bp.com"),
    ("TOYOTA MOTOR CORP/", "Toyota Motor", "toyota.com"),
    ("H &amp; M HENNES &amp; MAURITZ AB", "H&M Hennes & Mauritz", "hm.com"),
    ("TEXAS INSTRUMENTS INC", "Texas Instruments", "ti.com"),
    ("ADOBE INC.", "Adobe", "adobe.com"),
    ("STARBUCKS CORP", "Starbucks®", "starbucks.com"),
]
# Brands whose company is not on the reference side: must not match a look-alike.
ABSENT_BRANDS = [
    "Delta Dental",
    "American Eagle Outfitters",
    "United Airlines",
    "General Mills",
    "Texas Roadhouse",
    "Bank of India",
    "Ford Foundation",
    "Apple Leisure Group",
    "Amazonas Energia",
    "Meta Financial",
    "Oracle Health Partners",
    "Morgan Lewis",
    "Intel Ventures Fund",
    "Nike Golf Club of Tulsa",
]


def legal_vs_brand(distractors: list[MatchRecord], *, use_domains: bool) -> Tally:
    legal = sorted({legal for legal, _, _ in LEGAL_VS_BRAND})
    ids = {name: f"legal:{i}" for i, name in enumerate(legal)}
    domains = {legal: domain for legal, _, domain in LEGAL_VS_BRAND}
    refs = [
        MatchRecord(ids[name], name, domain=domains[name] if use_domains else None)
        for name in legal
    ]
    # The company graph holds some of these companies too; a distractor that is the same
    # company (same normalised name as a legal name or brand here) is left out.
    taken = {normalize_company_name(n) for row in LEGAL_VS_BRAND for n in row[:2]}
    taken |= {normalize_company_name(n) for n in ABSENT_BRANDS}
    others = [d for d in distractors if normalize_company_name(d.name or "") not in taken]
    index = AccountIndex.build([*others, *refs])
    tally = Tally()
    cases = [(brand, ids[legal], f"jo@{domain}") for legal, brand, domain in LEGAL_VS_BRAND]
    cases += [(brand, None, "jo@gmail.com") for brand in ABSENT_BRANDS]
    for n, (brand, want, email) in enumerate(cases):
        result = index.match(MatchRecord(f"q{n}", brand, email=email if use_domains else None))
        tally.positives += want is not None
        tally.negatives += want is None
        if result.status == "matched":
            ok = result.to_id == want
            tally.right += ok
            tally.wrong += not ok
            if not ok:
                print(f"    wrong: {brand!r} -> {result.to_id} {result.reasons}")
        elif result.status == "ambiguous":
            tally.review += 1
        if want and result.status != "matched":
            print(f"    missed: {brand!r} ({result.status}, {result.score}) {result.reasons[:1]}")
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cap", type=int, default=5, help="queries per cluster at most")
    parser.add_argument("--absent", type=float, default=0.15, help="share of clusters removed")
    parser.add_argument("--show", type=int, default=0, help="print this many dev errors")
    args = parser.parse_args(argv)
    if not VARIANTS.exists():
        print(f"skipped: {VARIANTS} not found")
        return 0
    started = time.perf_counter()
    clusters = load_clusters()
    references, queries, canon = build_sets(
        clusters, seed=args.seed, cap=args.cap, absent=args.absent
    )
    index = AccountIndex.build(references)
    noisy_queries = build_noisy(clusters, canon, queries, seed=args.seed)
    tallies = evaluate(index, [*queries, *noisy_queries], canon)
    print(
        f"company graph: {len(clusters)} clusters, {len(references)} references, "
        f"{len(queries)} queries (seed {args.seed}, cap {args.cap}, absent {args.absent:.0%})"
    )
    for group in sorted(tallies):
        print("  " + tallies[group].line(group))
    for split in ("dev", "held-out"):
        wrong, contained, sample = parent_like(index, [q for q in queries if q.split == split])
        print(
            f"  {split}: {wrong} wrong matches, {contained} of them the whole matched name plus "
            "other words (parent/subsidiary/office: the data's label, kept)"
        )
        if split == "dev" and args.show:
            rng = random.Random(args.seed)
            for line in rng.sample(sample, min(args.show, len(sample))):
                print(f"    {line}")
    if args.show:
        show_errors(index, [q for q in queries if q.split == "dev"], canon, args.show)
    print("hand-made legal vs brand names (company-graph references as distractors):")
    print("  " + legal_vs_brand(references, use_domains=False).line("names only"))
    print("  " + legal_vs_brand(references, use_domains=True).line("names + work/free-mail emails"))
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


WRONG_ONLY = False


def show_errors(
    index: AccountIndex, queries: list[Query], canon: dict[str, str], limit: int
) -> None:
    shown = 0
    for query in queries:
        result = index.match(query.record)
        wrong = result.status == "matched" and result.to_id != query.cluster
        missed = query.present and result.status != "matched"
        if (wrong or (missed and not WRONG_ONLY)) and shown < limit:
            shown += 1
            want = canon[query.cluster] if query.present else "(absent)"
            got = result.candidates[0].name if result.candidates else None
            kind = "WRONG" if wrong else "missed"
            print(
                f"  {kind:<6} {query.record.name!r} want {want!r} top {got!r} "
                f"{result.status} {result.score}"
            )


if __name__ == "__main__":
    sys.exit(main())
