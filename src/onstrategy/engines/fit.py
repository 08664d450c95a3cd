"""ICP fit: a rule-based, explainable score (0-100) and tier for every account or lead.

For each ICP segment, every criterion the segment names (industry, employees, annual
revenue, geography, named-account list) is met or not; the segment's score is the share of
the criterion weights that are met, times 100. An account's score is its best segment's
score; its tier comes from the thresholds (A/B/C, else D); it is *in profile* when its tier
is one the ICP lists. Every point traces to a criterion, so "why?" always has an answer.

The score is one Ibis expression (``fit_table``), so the same definition runs on SQLite,
PostgreSQL, DuckDB or Spark. ``explain`` turns a row of it into reasons in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from onstrategy.strategy.model import ICP, Segment, Strategy, Version

CRITERIA = ("industry", "employees", "annual_revenue", "geography", "named_list")


@dataclass(frozen=True)
class Reason:
    criterion: str
    met: bool
    points: float
    text: str


@dataclass(frozen=True)
class AccountFit:
    account_id: str
    name: str | None
    score: float
    tier: str
    in_profile: bool
    segment: str | None
    version: str
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        """The fit as plain data (JSON): the account, score, tier, segment, version and
        every reason with its points."""
        return {
            "account_id": self.account_id,
            "name": self.name,
            "score": self.score,
            "tier": self.tier,
            "in_profile": self.in_profile,
            "segment": self.segment,
            "version": self.version,
            "reasons": [
                {"criterion": r.criterion, "met": r.met, "points": r.points, "text": r.text}
                for r in self.reasons
            ],
        }


def _column(segment_index: int, criterion: str) -> str:
    return f"s{segment_index}_{criterion}"


def _criterion(
    table: ir.Table, segment: Segment, criterion: str, members: ir.Column | None
) -> ir.BooleanValue:
    if criterion == "industry":
        wanted = [i.strip().lower() for i in segment.industries]
        expr = table.industry.strip().lower().isin(wanted)
    elif criterion == "employees":
        expr = _in_range(table.employees, segment.employees)
    elif criterion == "annual_revenue":
        expr = _in_range(table.annual_revenue, segment.annual_revenue)
    elif criterion == "geography":
        expr = ibis.literal(True)
        if segment.countries:
            expr = expr & table.country.isin(segment.countries)
        if segment.states:
            expr = expr & table.state.isin(segment.states)
    elif members is not None:
        expr = table.fit_key.isin(members)
    else:
        expr = ibis.literal(False)
    return expr.fill_null(False)


def _in_range(column: ir.NumericColumn, bounds: Any) -> ir.BooleanValue:
    expr = column.notnull()
    if bounds.min is not None:
        expr = expr & (column >= bounds.min)
    if bounds.max is not None:
        expr = expr & (column <= bounds.max)
    return expr


def _list_members(list_entries: ir.Table | None, lists: list[str]) -> ir.Column | None:
    if list_entries is None or not lists:
        return None
    chosen = list_entries.filter(
        list_entries.list_id.isin(lists), list_entries.account_id.notnull()
    )
    return chosen.account_id


def fit_table(
    *, table: ir.Table, key: str, version: Version, list_entries: ir.Table | None = None
) -> ir.Table:
    """``table`` (accounts or leads) with one boolean column per segment criterion, and
    ``fit_score``, ``fit_tier``, ``fit_segment``, ``in_profile``.

    ``key`` names the column that identifies the account for named-list membership.
    """
    icp = version.icp
    table = table.mutate(fit_key=table[key])
    flags: dict[str, ir.BooleanValue] = {}
    scores: list[ir.NumericValue] = []
    for i, segment in enumerate(icp.segments):
        criteria = segment.criteria()
        total = sum(icp.weights.of(c) for c in criteria) or 1.0
        points: ir.NumericValue = ibis.literal(0.0)
        for criterion in criteria:
            members = _list_members(list_entries, segment.named_lists)
            flag = _criterion(table, segment, criterion, members)
            flags[_column(i, criterion)] = flag
            points = points + flag.ifelse(icp.weights.of(criterion), 0.0)
        scores.append((points * 100.0 / total).round(1))
    table = table.mutate(**flags, **{f"s{i}_score": s for i, s in enumerate(scores)})
    best = (
        ibis.greatest(*[table[f"s{i}_score"] for i in range(len(scores))])
        if len(scores) > 1
        else table["s0_score"]
    )
    table = table.mutate(fit_score=best)
    return table.mutate(
        fit_tier=_tier_expr(table.fit_score, icp),
        fit_segment=_segment_expr(table, icp),
        in_profile=_tier_expr(table.fit_score, icp).isin(icp.in_profile),
    )


def _tier_expr(score: ir.NumericValue, icp: ICP) -> ir.StringValue:
    tiers = icp.tiers
    return ibis.cases(
        (score >= tiers.A, "A"), (score >= tiers.B, "B"), (score >= tiers.C, "C"), else_="D"
    )


def _segment_expr(table: ir.Table, icp: ICP) -> ir.StringValue:
    branches = [
        (table[f"s{i}_score"] == table.fit_score, seg.name) for i, seg in enumerate(icp.segments)
    ]
    return ibis.cases(*branches, else_=None)


def account_fit_table(*, store: Any, version: Version) -> ir.Table:
    """Fit of every account in the store under ``version`` (quarantined ones included)."""
    return fit_table(
        table=store.table("account"),
        key="id",
        version=version,
        list_entries=store.table("named_list_entry"),
    )


def explain(row: dict[str, Any], *, version: Version) -> AccountFit:
    """Turn one row of ``fit_table`` into the score with its reasons in plain words."""
    icp = version.icp
    index = next((i for i, s in enumerate(icp.segments) if s.name == row.get("fit_segment")), 0)
    segment = icp.segments[index]
    total = sum(icp.weights.of(c) for c in segment.criteria()) or 1.0
    reasons = tuple(
        _reason(segment, c, bool(row.get(_column(index, c))), icp.weights.of(c) * 100 / total, row)
        for c in segment.criteria()
    )
    return AccountFit(
        account_id=str(row.get("fit_key") or row.get("id")),
        name=row.get("name"),
        score=float(row["fit_score"]),
        tier=str(row["fit_tier"]),
        in_profile=bool(row["in_profile"]),
        segment=segment.name,
        version=version.id,
        reasons=reasons,
    )


def record_fit(
    record: dict[str, Any], *, key: str | None, lists: frozenset[str], version: Version
) -> AccountFit:
    """The same score for one record, evaluated in Python where a query per record would
    cost too much (routing decides one lead at a time).

    Mirrors ``fit_table`` criterion by criterion (a test holds the two equal on the demo
    company, both versions) and explains it with ``explain``. ``lists`` are the named lists
    the record's account is on.
    """
    icp = version.icp
    row: dict[str, Any] = {**record, "fit_key": key or record.get("id")}
    scores = []
    for i, segment in enumerate(icp.segments):
        criteria = segment.criteria()
        total = sum(icp.weights.of(c) for c in criteria) or 1.0
        points = 0.0
        for criterion in criteria:
            row[f"s{i}_{criterion}"] = met = _met(segment, criterion, record, key, lists)
            points += icp.weights.of(criterion) if met else 0.0
        scores.append(_round1(points * 100.0 / total))
    best = max(scores)
    tier = icp.tiers.tier_of(best)
    segment_name = next(s.name for s, v in zip(icp.segments, scores, strict=True) if v == best)
    row.update(fit_score=best, fit_tier=tier, fit_segment=segment_name,
               in_profile=tier in icp.in_profile)  # fmt: skip
    return explain(row, version=version)


def _round1(value: float) -> float:
    """SQL's ROUND(x, 1): halves away from zero."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _met(
    segment: Segment, criterion: str, record: dict[str, Any], key: str | None,
    lists: frozenset[str],
) -> bool:  # fmt: skip
    if criterion == "industry":
        industry = record.get("industry")
        wanted = {i.strip().lower() for i in segment.industries}
        return industry is not None and industry.strip().lower() in wanted
    if criterion in ("employees", "annual_revenue"):
        bounds = segment.employees if criterion == "employees" else segment.annual_revenue
        return bounds is not None and bounds.contains(record.get(criterion))
    if criterion == "geography":
        ok = not segment.countries or record.get("country") in segment.countries
        return ok and (not segment.states or record.get("state") in segment.states)
    return key is not None and bool(lists & set(segment.named_lists))


def _reason(
    segment: Segment, criterion: str, met: bool, points: float, row: dict[str, Any]
) -> Reason:
    earned = round(points, 1) if met else 0.0
    return Reason(f"icp.{criterion}", met, earned, _describe(segment, criterion, met, row))


def _describe(segment: Segment, criterion: str, met: bool, row: dict[str, Any]) -> str:
    verb = "is" if met else "is not"
    if criterion == "industry":
        value = row.get("industry") or "unknown industry"
        return f"{value} {verb} a target industry ({', '.join(segment.industries)})"
    if criterion in ("employees", "annual_revenue"):
        value = row.get(criterion)
        label = "employees" if criterion == "employees" else "annual revenue"
        bounds = segment.employees if criterion == "employees" else segment.annual_revenue
        shown = f"{value:,.0f}" if value is not None else "unknown"
        return f"{label} {shown} {verb} in the target range {bounds.describe() if bounds else ''}"
    if criterion == "geography":
        where = "/".join(str(v) for v in (row.get("state"), row.get("country")) if v) or "unknown"
        target = ", ".join(segment.states or segment.countries)
        return f"location {where} {verb} in the target area ({target})"
    lists = ", ".join(segment.named_lists)
    return f"{'on' if met else 'not on'} the named-account list {lists}"


# ------------------------------------------------------------------ fit over time
# Strategy versions change the ICP on their effective dates: a deal created in March is
# judged by the version in force in March. These two helpers make that a join.


@dataclass
class VersionSpan:
    id: str
    starts: date
    ends: date | None  # exclusive; None = still in force


def version_spans(strategy: Strategy, forced: str | None = None) -> list[VersionSpan]:
    if forced:
        return [VersionSpan(forced, date.min, None)]
    ordered = sorted(strategy.versions, key=lambda v: v.effective_from)
    ends = [v.effective_from for v in ordered[1:]] + [None]
    return [VersionSpan(v.id, v.effective_from, end) for v, end in zip(ordered, ends, strict=True)]


def fits_over_time(
    *,
    base: ir.Table,
    key: str,
    strategy: Strategy,
    spans: list[VersionSpan],
    list_entries: ir.Table,
) -> ir.Table:
    """(fit_key, in_profile, v_from, v_to) for every row of ``base`` under every version."""
    parts = []
    for span in spans:
        fitted = fit_table(
            table=base, key=key, version=strategy.version(span.id), list_entries=list_entries
        )
        parts.append(
            fitted.select(
                row_id=fitted[key] if key != "id" else fitted.id,
                in_profile=fitted.in_profile,
                v_from=ibis.literal(span.starts, "date"),
                v_to=ibis.literal(span.ends or date(9999, 12, 31), "date"),
            )
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def icp_at(facts: ir.Table, fits: ir.Table, key: str) -> ir.Table:
    """Join facts to the fit in force on each fact's date; unknown accounts are off-profile."""
    # Views make both sides plain relations: the same fits join into several branches, and
    # facts may end in a computed column of an earlier join.
    facts, fits = facts.view(), fits.view()
    joined = facts.left_join(
        fits,
        [facts[key] == fits.row_id, facts.event_date >= fits.v_from, facts.event_date < fits.v_to],
    )
    return joined.mutate(is_icp=joined.in_profile.fill_null(False)).drop(
        "row_id", "in_profile", "v_from", "v_to"
    )


def account_icp_over_time(
    *, store: Any, strategy: Strategy, forced_version: str | None = None
) -> ir.Table:
    """(row_id=account id, in_profile, v_from, v_to) for every account under every version.

    Join facts to it with ``icp_at(facts, fits, "account_id")`` to get ``is_icp`` as of each
    fact's ``event_date``.
    """
    return fits_over_time(
        base=store.table("account"),
        key="id",
        strategy=strategy,
        spans=version_spans(strategy, forced_version),
        list_entries=store.table("named_list_entry"),
    )
