"""Checks across the whole strategy file that a single model cannot make on its own."""

from __future__ import annotations

from collections import Counter

from onstrategy.errors import Problem
from onstrategy.strategy.model import Strategy, Version


def cross_check(strategy: Strategy) -> list[Problem]:
    problems = _duplicates(strategy)
    known_reps = {r.id for r in strategy.reps} | {r.email for r in strategy.reps if r.email}
    known_teams = {t.id for t in strategy.teams}
    for i, rep in enumerate(strategy.reps):
        if rep.team and known_teams and rep.team not in known_teams:
            problems.append(Problem(f"reps[{i}].team", f"unknown team {rep.team!r}",
                                    f"known: {', '.join(sorted(known_teams))}"))
    for i, version in enumerate(strategy.versions):
        problems += _check_version(version, f"versions[{i}]", known_reps)
    return problems


def _duplicates(strategy: Strategy) -> list[Problem]:
    problems = []
    ids = Counter(v.id for v in strategy.versions)
    dates = Counter(v.effective_from for v in strategy.versions)
    for i, version in enumerate(strategy.versions):
        if ids[version.id] > 1:
            problems.append(Problem(f"versions[{i}].id", f"version id {version.id!r} is used twice",
                                    "give each version its own id"))
        if dates[version.effective_from] > 1:
            problems.append(Problem(
                f"versions[{i}].effective_from",
                f"two versions start on {version.effective_from.isoformat()}",
                "only one version can be in force on a date",
            ))
    return problems


def _check_version(version: Version, path: str, known_reps: set[str]) -> list[Problem]:
    problems = []
    for j, territory in enumerate(version.territories):
        for k, cover in enumerate(territory.reps):
            if known_reps and cover.rep not in known_reps:
                sample = ", ".join(sorted(known_reps)[:6])
                problems.append(Problem(f"{path}.territories[{j}].reps[{k}].rep",
                                        f"unknown rep {cover.rep!r}", f"known: {sample}, ..."))
    problems += _unique(
        [t.id for t in version.territories], f"{path}.territories", "territory id"
    )
    problems += _unique([o.id for o in version.offerings], f"{path}.offerings", "offering id")
    products = [(o.id, p.lower()) for o in version.offerings for p in o.products]
    owners: dict[str, str] = {}
    for offering_id, product in products:
        if product in owners and owners[product] != offering_id:
            problems.append(Problem(
                f"{path}.offerings", f"product {product!r} belongs to both "
                f"{owners[product]!r} and {offering_id!r}", "list each product in one offering",
            ))
        owners[product] = offering_id
    problems += _unique(
        [c.code for c in version.exceptions.reason_codes],
        f"{path}.exceptions.reason_codes", "reason code",
    )
    return problems


def _unique(values: list[str], path: str, what: str) -> list[Problem]:
    counts = Counter(values)
    return [
        Problem(f"{path}[{i}]", f"{what} {value!r} is used twice", "rename one of them")
        for i, value in enumerate(values)
        if counts[value] > 1
    ]
