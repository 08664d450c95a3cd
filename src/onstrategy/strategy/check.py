"""Checks across the whole strategy file that a single model cannot make on its own.

They read the raw YAML data (not the validated model), so they run even when the file has
structural problems: ``strategy check`` reports every problem at once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from onstrategy.errors import Problem


def _items(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def cross_check(data: dict[str, Any]) -> list[Problem]:
    reps = _items(data.get("reps"))
    known_reps = {str(r["id"]) for r in reps if "id" in r} | {
        str(r["email"]) for r in reps if r.get("email")
    }
    known_teams = {str(t["id"]) for t in _items(data.get("teams")) if "id" in t}
    problems = _duplicates(_items(data.get("versions")))
    for i, rep in enumerate(reps):
        team = rep.get("team")
        if team and known_teams and str(team) not in known_teams:
            problems.append(
                Problem(
                    f"reps[{i}].team",
                    f"unknown team {team!r}",
                    f"known: {', '.join(sorted(known_teams))}",
                )
            )
    for i, version in enumerate(_items(data.get("versions"))):
        problems += _check_version(version, f"versions[{i}]", known_reps)
    return problems


def _duplicates(versions: list[dict[str, Any]]) -> list[Problem]:
    ids = Counter(str(v.get("id")) for v in versions)
    dates = Counter(str(v.get("effective_from")) for v in versions)
    problems = []
    for i, version in enumerate(versions):
        if ids[str(version.get("id"))] > 1:
            problems.append(
                Problem(
                    f"versions[{i}].id",
                    f"version id {version.get('id')!r} is used twice",
                    "give each version its own id",
                )
            )
        if version.get("effective_from") and dates[str(version.get("effective_from"))] > 1:
            problems.append(
                Problem(
                    f"versions[{i}].effective_from",
                    f"two versions start on {version['effective_from']}",
                    "only one version can be in force on a date",
                )
            )
    return problems


def _check_version(version: dict[str, Any], path: str, known_reps: set[str]) -> list[Problem]:
    territories = _items(version.get("territories"))
    offerings = _items(version.get("offerings"))
    problems = []
    for j, territory in enumerate(territories):
        for k, cover in enumerate(_items(territory.get("reps"))):
            rep = cover.get("rep")
            if known_reps and rep is not None and str(rep) not in known_reps:
                sample = ", ".join(sorted(known_reps)[:6])
                problems.append(
                    Problem(
                        f"{path}.territories[{j}].reps[{k}].rep",
                        f"unknown rep {rep!r}",
                        f"known: {sample}",
                    )
                )
    problems += _unique([t.get("id") for t in territories], f"{path}.territories", "territory id")
    problems += _unique([o.get("id") for o in offerings], f"{path}.offerings", "offering id")
    problems += _shared_products(offerings, path)
    codes = _items((version.get("exceptions") or {}).get("reason_codes"))
    problems += _unique(
        [c.get("code") for c in codes], f"{path}.exceptions.reason_codes", "reason code"
    )
    return problems


def _shared_products(offerings: list[dict[str, Any]], path: str) -> list[Problem]:
    owners: dict[str, str] = {}
    problems = []
    for j, offering in enumerate(offerings):
        for product in offering.get("products") or []:
            key = str(product).lower()
            if key in owners and owners[key] != offering.get("id"):
                problems.append(
                    Problem(
                        f"{path}.offerings[{j}].products",
                        f"product {product!r} belongs to both {owners[key]!r} "
                        f"and {offering.get('id')!r}",
                        "list each product in one offering",
                    )
                )
            owners[key] = str(offering.get("id"))
    return problems


def _unique(values: list[Any], path: str, what: str) -> list[Problem]:
    counts = Counter(values)
    return [
        Problem(f"{path}[{i}]", f"{what} {value!r} is used twice", "rename one of them")
        for i, value in enumerate(values)
        if value is not None and counts[value] > 1
    ]
