"""Accuracy of job title → seniority and function on hand-labelled real titles.

Data (labelled by hand before the rules were written; see ``tests/data/titles/README.md``):

- ``tests/data/titles/dev.csv``: 772 real titles (ESCO labels, IPOD words); the rules
  were tuned while looking at its errors.
- ``tests/data/titles/heldout.csv``: 386 titles sampled the same way; measured only.
  Its errors are not printed unless ``--show-heldout-errors``.
- ``tests/data/titles/crm.csv``: 192 hand-written CRM-style titles (the unit tests'
  traps); written alongside the rules, so it is not an independent measure.
- ``tests/data/titles/crm_heldout.csv``: 127 more CRM-style titles written after the
  rules and measured blind once (seniority 1.000, function 0.969: DBA, MIS, "Information
  Services", "Country Manager" were missing); those four gaps were then filled.

Also, as an independent sanity check over all ~33k ESCO titles in
``../shared/data/titles/esco_titles_isco.csv``: how often titles from ISCO-08 groups with
an obvious function get that function (ISCO 25 and 351 ICT → it, 3323 buyers →
procurement, 3324 trade brokers → sales, 2411 accountants → finance, ...). ISCO groups
are occupations, not departments, so these shares are hints, not accuracy.

Run: ``.venv/bin/python benchmarks/bench_titles_accuracy.py [--errors 25] [--show-heldout-errors]``.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from onstrategy.engines.titles import FUNCTIONS, SENIORITIES, classify_title

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "tests" / "data" / "titles"
ESCO = REPO.parent / "shared" / "data" / "titles" / "esco_titles_isco.csv"
FIELDS = {"seniority": SENIORITIES, "function": FUNCTIONS}
ISCO_HINTS: dict[str, tuple[str, ...]] = {
    "25": ("it",),  # software and applications developers, database and network professionals
    "351": ("it",),  # ICT operations and user support technicians
    "3323": ("procurement",),  # buyers
    "3324": ("sales",),  # trade brokers (wholesale merchants)
    "3322": ("sales",),  # commercial sales representatives
    "2411": ("finance",),  # accountants
    "1211": ("finance",),  # finance managers
    "1212": ("hr",),  # human resource managers
    "2423": ("hr",),  # personnel and careers professionals
    "2611": ("legal",),  # lawyers
    "1221": ("sales", "marketing"),  # sales and marketing managers
    "2431": ("marketing",),  # advertising and marketing professionals
    "1324": ("operations",),  # supply, distribution and related managers
}


def load(name: str) -> list[dict[str, str]]:
    with (LABELS / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        result = classify_title(row["title"])
        row["got_seniority"], row["got_function"] = result.seniority, result.function
        row["reasons"] = " | ".join(result.reasons[-2:])
    return rows


def accuracy(rows: list[dict[str, str]], field: str) -> float:
    return sum(r[field] == r[f"got_{field}"] for r in rows) / len(rows)


def _source(row: dict[str, str]) -> str:
    return ":".join(row["source"].split(":")[:2])


def _wrong(row: dict[str, str]) -> bool:
    return (row["seniority"], row["function"]) != (row["got_seniority"], row["got_function"])


def report_split(name: str, rows: list[dict[str, str]]) -> None:
    both = 1 - sum(map(_wrong, rows)) / len(rows)
    seniority, function = accuracy(rows, "seniority"), accuracy(rows, "function")
    print(f"\n== {name} ({len(rows)} titles)")
    print(f"  seniority {seniority:.3f}   function {function:.3f}   both {both:.3f}")
    for source in sorted({_source(r) for r in rows}):
        subset = [r for r in rows if _source(r) == source]
        seniority, function = accuracy(subset, "seniority"), accuracy(subset, "function")
        figures = f"seniority {seniority:.3f}  function {function:.3f}"
        print(f"    {source:16} n={len(subset):4}  {figures}")


def report_classes(rows: list[dict[str, str]]) -> None:
    for field, labels in FIELDS.items():
        print(f"\n  {field}: label  n  recall  precision   (most common confusions)")
        for label in labels:
            truth = [r for r in rows if r[field] == label]
            said = [r for r in rows if r[f"got_{field}"] == label]
            right = sum(r[f"got_{field}"] == label for r in truth)
            wrong = Counter(r[f"got_{field}"] for r in truth if r[f"got_{field}"] != label)
            recall = f"{right / len(truth):.2f}" if truth else "  - "
            precision = f"{right / len(said):.2f}" if said else "  - "
            confused = ", ".join(f"→{k} {v}" for k, v in wrong.most_common(3))
            print(f"    {label:12}{len(truth):4}  {recall:>6}  {precision:>9}   {confused}")


def report_errors(rows: list[dict[str, str]], limit: int) -> None:
    errors = [r for r in rows if _wrong(r)]
    shown = min(limit, len(errors))
    print(f"\n  errors ({len(errors)}; first {shown}): title  want → got  [deciding reasons]")
    for r in errors[:limit]:
        want, got = f"{r['seniority']}/{r['function']}", f"{r['got_seniority']}/{r['got_function']}"
        print(f"    {r['title'][:55]:55} {want} → {got}  [{r['reasons']}]")


def report_isco_hints() -> None:
    if not ESCO.exists():
        print("\n(ISCO hint check skipped: ../shared/data is absent)")
        return
    with ESCO.open(newline="", encoding="utf-8") as handle:
        rows = [(r["title"], r["isco_group"]) for r in csv.DictReader(handle)]
    print(f"\n== ISCO-08 hint agreement over all {len(rows)} ESCO titles (hints, not truth)")
    for prefix, functions in ISCO_HINTS.items():
        titles = [t for t, isco in rows if isco.startswith(prefix)]
        share = sum(classify_title(t).function in functions for t in titles) / len(titles)
        hint = " or ".join(functions)
        print(f"    ISCO {prefix:5} → {hint:18} n={len(titles):5}  {share:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=25, help="dev errors to print")
    parser.add_argument("--show-heldout-errors", action="store_true")
    args = parser.parse_args()
    dev, heldout, crm = load("dev.csv"), load("heldout.csv"), load("crm.csv")
    crm_blind = load("crm_heldout.csv")
    report_split("dev (tuned on)", dev)
    report_classes(dev)
    report_errors(dev, args.errors)
    report_split("held-out (not looked at while tuning)", heldout)
    report_classes(heldout)
    if args.show_heldout_errors:
        report_errors(heldout, args.errors)
    report_split("crm (hand-written traps; written with the rules)", crm)
    report_split("crm blind (written after the rules; 4 gaps filled after measuring)", crm_blind)
    report_isco_hints()


if __name__ == "__main__":
    main()
