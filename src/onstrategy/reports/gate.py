"""The prospect database over time: how much of it sits inside the target market, by source.

For each period (month or quarter of the lead's creation date) and each lead source: how
many prospects arrived, how many are in the target market, the share, and how many the
intake gate holds in quarantine (or an admin released). Marketing sees which sources feed
off-target names.

"In the target market" is the intake gate's definition: a lead matched to an account
takes the account's fit, otherwise its own firmographics (on a named list when its company
is a white-space entry of it), each judged by the strategy version in force on the day the lead was
created (or one forced version). The counts and shares are one Ibis expression
(``composition``), so they run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from onstrategy.engines.fit import fit_table, version_spans
from onstrategy.engines.gate import lead_list_entries
from onstrategy.errors import InvalidInput
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy

Period = Literal["month", "quarter"]
NO_SOURCE = "(no source)"
_UNITS = {"month": "M", "quarter": "Q"}
_FIRMOGRAPHICS = ("industry", "employees", "annual_revenue", "country", "state", "city")


def lead_facts(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    forced_version: str | None = None,
) -> ir.Table:
    """One row per lead created in the period: source, gate status, ``is_icp`` at creation.

    Built per strategy version (the leads created while it was in force, each joined to
    its account's fit under that version by account id), then unioned: equi-joins only,
    so the database never re-scores the accounts once per lead.
    """
    entries = store.table("named_list_entry")
    on_lists = lead_list_entries(store)
    lead = store.table("lead")
    lo, hi = ibis.literal(date_from, "date"), ibis.literal(date_to, "date")
    new = lead.filter(lead.created_on.between(lo, hi)).select(
        "id", "account_id", "source", "created_on", "gate_status", *_FIRMOGRAPHICS
    )
    accounts = store.table("account").select("id", *_FIRMOGRAPHICS)
    parts = []
    for span in version_spans(strategy, forced_version):
        version = strategy.version(span.id)
        chunk = new.filter(new.created_on >= span.starts)
        if span.ends is not None:
            chunk = chunk.filter(chunk.created_on < span.ends)
        own = fit_table(table=chunk, key="id", version=version, list_entries=on_lists)
        fits = fit_table(table=accounts, key="id", version=version, list_entries=entries)
        fits = fits.select(fit_account=fits.id, account_icp=fits.in_profile)
        joined = own.left_join(fits, own.account_id == fits.fit_account)
        parts.append(
            joined.select(
                lead_id=joined.id,
                source=joined.source.fill_null(NO_SOURCE),
                gate_status=joined.gate_status,
                event_date=joined.created_on,
                is_icp=joined.account_id.notnull().ifelse(
                    joined.account_icp.fill_null(False), joined.in_profile
                ),
            )
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def composition(facts: ir.Table, *, by: Period | None) -> ir.Table:
    """Prospects, in-target count and share, quarantined and released, per period and source.

    ``by`` None: one row per source over the whole range.
    """
    keys: dict[str, Any] = {"source": facts.source}
    if by is not None:
        keys["period"] = facts.event_date.truncate(_UNITS[by])
    grouped = facts.group_by(**keys).aggregate(
        prospects=facts.count(),
        in_target=facts.is_icp.ifelse(1, 0).sum(),
        quarantined=(facts.gate_status == "quarantined").ifelse(1, 0).sum(),
        released=(facts.gate_status == "released").ifelse(1, 0).sum(),
    )
    return grouped.mutate(
        share=grouped.in_target.cast("float64") / grouped.prospects.cast("float64")
    )


@dataclass
class SourceShare:
    source: str
    prospects: int
    in_target: int
    quarantined: int
    released: int

    @property
    def share(self) -> float | None:
        return self.in_target / self.prospects if self.prospects else None

    def as_dict(self) -> dict[str, Any]:
        share = self.share
        return {
            "source": self.source,
            "prospects": self.prospects,
            "in_target": self.in_target,
            "off_target": self.prospects - self.in_target,
            "share_in_target": None if share is None else round(share, 4),
            "quarantined": self.quarantined,
            "released": self.released,
        }


def _total(label: str, parts: list[SourceShare]) -> SourceShare:
    return SourceShare(
        label,
        sum(p.prospects for p in parts),
        sum(p.in_target for p in parts),
        sum(p.quarantined for p in parts),
        sum(p.released for p in parts),
    )


@dataclass
class PeriodComposition:
    start: date
    label: str
    sources: list[SourceShare]

    @property
    def total(self) -> SourceShare:
        return _total("all sources", self.sources)


@dataclass
class GateReport:
    date_from: date
    date_to: date
    by: Period
    judged_by: str
    goal: float | None  # the ICP share of leads the strategy asks for (version at date_to)
    periods: list[PeriodComposition]
    sources: list[SourceShare]  # whole range, lowest share first
    generated_at: datetime
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> SourceShare:
        return _total("all sources", self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()},
            "by": self.by,
            "judged_by": self.judged_by,
            "goal_share_in_target": self.goal,
            "total": self.total.as_dict(),
            "sources": [s.as_dict() for s in self.sources],
            "periods": [
                {
                    "period": p.label,
                    "start": p.start.isoformat(),
                    "total": p.total.as_dict(),
                    "sources": [s.as_dict() for s in p.sources],
                }
                for p in self.periods
            ],
            "notes": self.notes,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


def _label(start: date, by: Period) -> str:
    return f"{start:%Y-%m}" if by == "month" else f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _share(row: dict[str, Any]) -> SourceShare:
    return SourceShare(
        row["source"],
        int(row["prospects"]),
        int(row["in_target"] or 0),
        int(row["quarantined"] or 0),
        int(row["released"] or 0),
    )


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def gate_report(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date,
    date_to: date,
    by: Period = "month",
    version_id: str | None = None,
    now: datetime,
) -> GateReport:
    """Build the composition report; ``now`` is when it was generated."""
    if by not in _UNITS:
        raise InvalidInput(f"unknown period {by!r}", "use --by month or --by quarter")
    if date_from > date_to:
        raise InvalidInput("--from is after --to", "give a period that starts before it ends")
    facts = lead_facts(
        store=store,
        strategy=strategy,
        date_from=date_from,
        date_to=date_to,
        forced_version=version_id,
    )
    sources = [_share(r) for r in composition(facts, by=None).to_pyarrow().to_pylist()]
    periods: dict[date, list[SourceShare]] = {}
    for row in composition(facts, by=by).to_pyarrow().to_pylist():
        periods.setdefault(_as_date(row["period"]), []).append(_share(row))
    return GateReport(
        date_from=date_from,
        date_to=date_to,
        by=by,
        judged_by=(
            f"strategy version {version_id}"
            if version_id
            else "the strategy version in force on each lead's creation date"
        ),
        goal=_goal(strategy, version_id, date_to),
        periods=[
            PeriodComposition(start, _label(start, by), sorted(parts, key=lambda s: s.source))
            for start, parts in sorted(periods.items())
        ],
        sources=sorted(sources, key=lambda s: (s.share if s.share is not None else 2.0, s.source)),
        generated_at=now,
        notes=_notes(sources),
    )


def _goal(strategy: Strategy, version_id: str | None, day: date) -> float | None:
    try:
        version = strategy.version(version_id) if version_id else strategy.version_on(day)
    except InvalidInput:
        return None
    return version.goals.icp_share_of_leads


def _notes(sources: list[SourceShare]) -> list[str]:
    judged = [s for s in sources if s.prospects]
    if len(judged) < 2:
        return []
    worst = min(judged, key=lambda s: s.share or 0.0)
    total = _total("all", judged)
    return [
        f"{worst.source} feeds the most off-target names: {worst.share:.0%} of its "
        f"{worst.prospects:,} prospects are in the target market, against {total.share:.0%} "
        "across all sources"
    ]
