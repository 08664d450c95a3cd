"""Territories: which territory covers an account or a lead, and why.

A territory claims a record at one of three precedence levels:

1. **named account** — the record's account id is listed in the territory's ``accounts``
   (explicit, so it needs no other rule);
2. **named list** — the record's account is on one of the territory's ``named_lists``
   (via ``named_list_entry.account_id``), or a lead with no account has a company that is a
   white-space entry of one (:mod:`onstrategy.crm.lead_lists`; the reason says which), *and*
   every other rule the territory gives holds (so "Fortune 1000 in the West" is a list plus
   states);
3. **rules** — every rule the territory gives holds: geography (``countries``, ``states``,
   ``postal_prefixes``), ``industries`` and an ``employees`` range. A territory with no rule at
   all (and no named accounts) covers every record: a catch-all.

A territory that lists only ``accounts`` claims those accounts and nothing else.

**Precedence and tie-break.** The lowest level wins (named accounts before named lists before
rules). Between territories at the same level: the lower ``priority`` wins, then the more
specific one (more rules given), then the territory id in alphabetical order. The winner
carries the rules that matched in words and the candidates it beat, with what beat them.

Matching is plain Python over one record (a few set look-ups per territory), so routing one
lead costs microseconds and the bulk form (``assign_accounts``) uses the very same function
over rows that one portable Ibis query fetches (firmographics, ICP fit, named-list
membership): one definition of the rules, no drift between a single decision and the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir

from onstrategy.engines.fit import account_fit_table
from onstrategy.strategy.model import Territory, Version

LEVELS = {1: "named account", 2: "named list", 3: "rules"}
PRECEDENCE_HELP = (
    "Precedence: named accounts (rules.accounts) first, then named-list membership "
    "(rules.named_lists, plus any other rule given), then rule territories (countries, states, "
    "postal_prefixes, industries, employees; all given must hold). Tie-break at the same "
    "level: lower priority, then more rules given, then territory id."
)


@dataclass(frozen=True)
class TerritoryRecord:
    """What territory rules look at: an account, or a lead with its matched account."""

    id: str
    account_id: str | None = None
    country: str | None = None
    state: str | None = None
    postal_code: str | None = None
    industry: str | None = None
    employees: float | None = None
    named_lists: frozenset[str] = frozenset()

    @classmethod
    def from_row(
        cls, row: dict[str, Any], *, account_id: str | None, named_lists: frozenset[str]
    ) -> TerritoryRecord:
        return cls(
            id=str(row["id"]),
            account_id=account_id,
            country=row.get("country"),
            state=row.get("state"),
            postal_code=row.get("postal_code"),
            industry=row.get("industry"),
            employees=row.get("employees"),
            named_lists=named_lists,
        )


@dataclass(frozen=True)
class Candidate:
    """A territory that claims the record, at a precedence level, with the rules that held."""

    territory_id: str
    name: str
    level: int
    priority: int
    specificity: int
    reasons: tuple[str, ...]

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]

    def sort_key(self) -> tuple[int, int, int, str]:
        return (self.level, self.priority, -self.specificity, self.territory_id)


@dataclass(frozen=True)
class Beaten:
    territory_id: str
    level: str
    beaten_by: str  # precedence | priority | specificity | territory id
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TerritoryMatch:
    record_id: str
    version: str
    territory_id: str | None
    name: str | None = None
    level: str | None = None
    reasons: tuple[str, ...] = ()
    beaten: tuple[Beaten, ...] = ()

    @property
    def same_level_claims(self) -> tuple[Beaten, ...]:
        """Other territories that claim the record at the winner's level."""
        return tuple(b for b in self.beaten if b.level == self.level)


# ------------------------------------------------------------------ compiled rules


@dataclass(frozen=True)
class CompiledTerritory:
    territory: Territory
    accounts: frozenset[str]
    named_lists: frozenset[str]
    countries: frozenset[str]
    states: frozenset[str]
    postal_prefixes: tuple[str, ...]
    industries: frozenset[str]
    specificity: int
    has_rules: bool

    @classmethod
    def of(cls, territory: Territory) -> CompiledTerritory:
        rules = territory.rules
        given = [
            rules.named_lists,
            rules.countries,
            rules.states,
            rules.postal_prefixes,
            rules.industries,
            rules.employees,
        ]
        return cls(
            territory=territory,
            accounts=frozenset(rules.accounts),
            named_lists=frozenset(rules.named_lists),
            countries=frozenset(c.upper() for c in rules.countries),
            states=frozenset(rules.states),
            postal_prefixes=tuple(_postal(p) for p in rules.postal_prefixes),
            industries=frozenset(_fold(i) for i in rules.industries),
            specificity=sum(1 for g in given if g),
            has_rules=any(given) or not rules.accounts,
        )


@dataclass
class _Cache:
    entries: dict[int, tuple[Version, list[CompiledTerritory]]] = field(default_factory=dict)


_CACHE = _Cache()


def compiled(version: Version) -> list[CompiledTerritory]:
    """The version's territories with their rules normalised (cached per version object)."""
    hit = _CACHE.entries.get(id(version))
    if hit is not None and hit[0] is version:
        return hit[1]
    result = [CompiledTerritory.of(t) for t in version.territories]
    if len(_CACHE.entries) > 64:
        _CACHE.entries.clear()
    _CACHE.entries[id(version)] = (version, result)
    return result


def _fold(value: str | None) -> str:
    return (value or "").strip().lower()


def _postal(value: str | None) -> str:
    return "".join((value or "").split()).upper()


# ------------------------------------------------------------------ one record


def claim(rules: CompiledTerritory, record: TerritoryRecord) -> Candidate | None:
    """The claim ``rules`` makes on ``record`` (its best level), or None."""
    territory = rules.territory
    if record.account_id and record.account_id in rules.accounts:
        reason = f"account {record.account_id} is a named account of {territory.name}"
        return _candidate(rules, 1, (reason,))
    if not rules.has_rules:
        return None
    reasons = _rule_reasons(rules, record)
    if reasons is None:
        return None
    return _candidate(rules, 2 if rules.named_lists else 3, tuple(reasons))


def _candidate(rules: CompiledTerritory, level: int, reasons: tuple[str, ...]) -> Candidate:
    t = rules.territory
    return Candidate(t.id, t.name, level, t.priority, rules.specificity, reasons)


def _rule_reasons(rules: CompiledTerritory, record: TerritoryRecord) -> list[str] | None:
    """Every rule given, in words, if all hold; None as soon as one fails."""
    reasons: list[str] = []
    for check in _CHECKS:
        outcome = check(rules, record)
        if outcome is False:
            return None
        if isinstance(outcome, str):
            reasons.append(outcome)
    return reasons or [f"{rules.territory.name} has no rules: it covers every record"]


def _lists(rules: CompiledTerritory, record: TerritoryRecord) -> str | bool | None:
    if not rules.named_lists:
        return None
    hits = sorted(rules.named_lists & record.named_lists)
    if not hits:
        return False
    if record.account_id is None:  # a lead with no account: its company is white space
        return f"the lead's company is on the named-account list {', '.join(hits)} (no account yet)"
    return f"the account is on the named-account list {', '.join(hits)}"


def _countries(rules: CompiledTerritory, record: TerritoryRecord) -> str | bool | None:
    if not rules.countries:
        return None
    country = (record.country or "").upper()
    return (
        f"country {country} is in {_few(rules.countries)}" if country in rules.countries else False
    )


def _states(rules: CompiledTerritory, record: TerritoryRecord) -> str | bool | None:
    if not rules.states:
        return None
    state = (record.state or "").upper()
    return f"state {state} is in {_few(rules.states)}" if state in rules.states else False


def _postal_rule(rules: CompiledTerritory, record: TerritoryRecord) -> str | bool | None:
    if not rules.postal_prefixes:
        return None
    code = _postal(record.postal_code)
    hit = next((p for p in rules.postal_prefixes if code and code.startswith(p)), None)
    return f"postal code {code} starts with {hit}" if hit else False


def _industries(rules: CompiledTerritory, record: TerritoryRecord) -> str | bool | None:
    if not rules.industries:
        return None
    ok = _fold(record.industry) in rules.industries
    return (
        f"industry {record.industry} is one of {_few(rules.territory.rules.industries)}"
        if ok
        else False
    )


def _employees(rules: CompiledTerritory, record: TerritoryRecord) -> str | bool | None:
    bounds = rules.territory.rules.employees
    if bounds is None:
        return None
    if not bounds.contains(record.employees):
        return False
    return f"{record.employees:,.0f} employees is in the range {bounds.describe()}"


_CHECKS = (_lists, _countries, _states, _postal_rule, _industries, _employees)


def _few(values: Any, limit: int = 6) -> str:
    items = sorted(values)
    shown = ", ".join(items[:limit])
    return f"{shown} (+{len(items) - limit} more)" if len(items) > limit else shown


def assign_territory(*, record: TerritoryRecord, version: Version) -> TerritoryMatch:
    """The territory that covers ``record`` under ``version``, with its reasons and rivals."""
    candidates = [c for rules in compiled(version) if (c := claim(rules, record))]
    if not candidates:
        return TerritoryMatch(record.id, version.id, None)
    candidates.sort(key=Candidate.sort_key)
    winner = candidates[0]
    beaten = tuple(
        Beaten(c.territory_id, c.level_name, _beaten_by(winner, c), c.reasons)
        for c in candidates[1:]
    )
    return TerritoryMatch(
        record.id,
        version.id,
        winner.territory_id,
        winner.name,
        winner.level_name,
        winner.reasons,
        beaten,
    )


def _beaten_by(winner: Candidate, loser: Candidate) -> str:
    if winner.level != loser.level:
        return "precedence"
    if winner.priority != loser.priority:
        return "priority"
    return "specificity" if winner.specificity != loser.specificity else "territory id"


def describe_rules(territory: Territory) -> list[str]:
    """The territory's rules in words, for `territories list`."""
    rules = territory.rules
    out = []
    if rules.accounts:
        out.append(f"named accounts: {_few(rules.accounts)}")
    if rules.named_lists:
        out.append(f"on named list {', '.join(rules.named_lists)}")
    if rules.countries:
        out.append(f"country in {_few(rules.countries)}")
    if rules.states:
        out.append(f"state in {_few(rules.states, 30)}")
    if rules.postal_prefixes:
        out.append(f"postal code starts with {_few(rules.postal_prefixes, 20)}")
    if rules.industries:
        out.append(f"industry in {_few(rules.industries, 20)}")
    if rules.employees is not None:
        out.append(f"employees {rules.employees.describe()}")
    return out or ["no rules: covers every record (catch-all)"]


# ------------------------------------------------------------------ bulk


def referenced_lists(version: Version) -> list[str]:
    return sorted({name for t in version.territories for name in t.rules.named_lists})


def account_territory_rows(*, store: Any, version: Version) -> ir.Table:
    """Every account with its ICP fit and one boolean column per named list territories use.

    One Ibis expression (runs on SQLite and PostgreSQL alike); ``assign_accounts`` applies
    the rules to its rows.
    """
    fitted = account_fit_table(store=store, version=version)
    entries = store.table("named_list_entry")
    members = {
        f"nl_{i}": fitted.id.isin(
            entries.filter(entries.list_id == name, entries.account_id.notnull()).account_id
        ).fill_null(False)
        for i, name in enumerate(referenced_lists(version))
    }
    fitted = fitted.mutate(**members) if members else fitted
    keep = [
        "id",
        "name",
        "owner_id",
        "gate_status",
        "country",
        "state",
        "postal_code",
        "industry",
        "employees",
        "fit_score",
        "fit_tier",
        "in_profile",
        *members,
    ]
    return fitted.select(*keep)


def assign_accounts(*, store: Any, version: Version) -> list[tuple[dict[str, Any], TerritoryMatch]]:
    """Every account's row (with fit) and its territory match under ``version``."""
    lists = referenced_lists(version)
    rows = account_territory_rows(store=store, version=version).to_pyarrow().to_pylist()
    out = []
    for row in rows:
        on = frozenset(name for i, name in enumerate(lists) if row.get(f"nl_{i}"))
        record = TerritoryRecord.from_row(row, account_id=str(row["id"]), named_lists=on)
        out.append((row, assign_territory(record=record, version=version)))
    return out
