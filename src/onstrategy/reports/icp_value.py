"""Does the ICP pay? ICP versus non-ICP closed deals, per strategy version, with intervals.

The article's reason for an ideal client profile: those clients value the offering most and
pay a premium. For each strategy version this report compares closed opportunities on ICP
and non-ICP accounts: win rate (Wilson 95% interval), average won deal size (percentile
bootstrap, fixed seed: money is skewed), discount (1 − amount / list amount, where a list
price exists) and cycle time (closed − created, in days) with t intervals, and repeat
business (share of accounts with a win that won again). Every figure carries its n.

Then it ranks off-profile segments (industry × employee band) by value per closed deal
(win rate × average won deal size) against the ICP. On enough deals (10), a segment that
wins clearly more often than the off-profile market, is not clearly worse than the ICP on
win rate and pays like it (discount within two points) gets a hint, "outperforms the ICP"
(on win rate alone when its deals are smaller) or "rivals the ICP": a candidate for the
next version of the strategy.

A deal is judged by the version in force on the day it was created (the day the rep chose
to pursue it), unless one version is forced. The facts are one Ibis expression
(``deal_facts``), the same on SQLite and PostgreSQL; the statistics run in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
from scipy import stats

from onstrategy.engines.definitions import in_force, strategy_start
from onstrategy.engines.fit import account_icp_over_time, icp_at
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy

Z95 = 1.959963984540054
BANDS = (
    (1, 199, "1–199"),
    (200, 999, "200–999"),
    (1000, 4999, "1,000–4,999"),
    (5000, None, "5,000+"),
)
MIN_SEGMENT_DEALS = 10
DISCOUNT_TOLERANCE = 0.02  # a segment "pays like the ICP" within two points of discount


# ------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95% interval and the number of observations behind it."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {"value": r(self.value), "low": r(self.low), "high": r(self.high), "n": self.n}


def wilson(successes: int, n: int) -> Estimate:
    """Wilson score interval for a proportion: sane at 0, 1 and small n."""
    if n == 0:
        return Estimate(None, None, None, 0)
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def mean_interval(values: list[float]) -> Estimate:
    """Mean with a Student t 95% interval (no interval below two observations)."""
    n = len(values)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = sum(values) / n
    if n < 2:
        return Estimate(mean, None, None, 1)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def bootstrap_mean(values: list[float], *, resamples: int = 2000, seed: int = 20) -> Estimate:
    """Mean with a 95% percentile-bootstrap interval (fixed seed: the same data gives the
    same interval). For money, whose skew makes a t interval run below zero."""
    n = len(values)
    if n < 2:
        return mean_interval(values)
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Estimate(float(data.mean()), float(low), float(high), n)


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def band_of(employees: int | None) -> str:
    if employees is None:
        return "unknown size"
    for low, high, label in BANDS:
        if employees >= low and (high is None or employees <= high):
            return label
    return "unknown size"


# ------------------------------------------------------------------ facts


def deal_facts(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date | None = None,
    date_to: date | None = None,
    forced_version: str | None = None,
) -> ir.Table:
    """Closed opportunities (closed in the period) with ICP status and version at creation."""
    opp, acc = store.table("opportunity"), store.table("account")
    # closed with a close date (a closed deal without one is in no period) and created in
    # strategy time (before the first version no ICP was in force)
    start = ibis.literal(strategy_start(strategy, forced_version), "date")
    closed = opp.filter(opp.is_closed, opp.closed_on.notnull(), opp.created_on >= start)
    if date_from is not None:
        closed = closed.filter(closed.closed_on >= ibis.literal(date_from, "date"))
    if date_to is not None:
        closed = closed.filter(closed.closed_on <= ibis.literal(date_to, "date"))
    version_id = in_force(
        closed.created_on, strategy=strategy, pick=lambda v: v.id, forced_version=forced_version
    )
    facts = closed.mutate(event_date=closed.created_on, version_id=version_id)
    # computed once (a temporary table): see reports.effort.activity_facts
    fits = account_icp_over_time(
        store=store, strategy=strategy, forced_version=forced_version
    ).cache()
    judged = icp_at(facts, fits, "account_id")
    firms = acc.select(
        acc_id=acc.id, account_name=acc.name, industry=acc.industry, employees=acc.employees
    )
    joined = judged.left_join(firms, judged.account_id == firms.acc_id)
    return joined.select(
        "id",
        "name",
        "account_id",
        "owner_id",
        "amount",
        "list_amount",
        "is_won",
        "created_on",
        "closed_on",
        "version_id",
        "is_icp",
        "account_name",
        "industry",
        "employees",
    )


def load_deals(**kwargs: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = deal_facts(**kwargs).to_pyarrow().to_pylist()
    return rows


# ------------------------------------------------------------------ groups


@dataclass
class GroupStats:
    """Outcome figures for one group of closed deals."""

    label: str
    closed: int
    won: int
    win_rate: Estimate
    deal_size: Estimate  # won deals
    discount: Estimate  # won deals with a list price
    price_realisation: Estimate  # amount / list amount, won deals with a list price
    cycle_days: Estimate  # every closed deal
    cycle_median: float | None
    value_per_deal: Estimate  # won amount per closed deal = win rate × deal size
    repeat: Estimate  # accounts with a win that won more than once

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "closed": self.closed, "won": self.won}
        for name in (
            "win_rate",
            "deal_size",
            "discount",
            "price_realisation",
            "cycle_days",
            "value_per_deal",
            "repeat",
        ):
            out[name] = getattr(self, name).as_dict()
        out["cycle_median"] = self.cycle_median
        return out


def group_stats(label: str, deals: list[dict[str, Any]]) -> GroupStats:
    won = [d for d in deals if d["is_won"]]
    amounts = [float(d["amount"] or 0.0) for d in won]
    priced = [d for d in won if d["list_amount"] and d["amount"] is not None]
    realised = [float(d["amount"]) / float(d["list_amount"]) for d in priced]
    cycles = [float((d["closed_on"] - d["created_on"]).days) for d in deals]
    wins_by_account: dict[str, int] = defaultdict(int)
    for d in won:
        if d["account_id"]:
            wins_by_account[d["account_id"]] += 1
    repeaters = sum(1 for count in wins_by_account.values() if count > 1)
    return GroupStats(
        label=label,
        closed=len(deals),
        won=len(won),
        win_rate=wilson(len(won), len(deals)),
        deal_size=bootstrap_mean(amounts),
        discount=mean_interval([1 - r for r in realised]),
        price_realisation=mean_interval(realised),
        cycle_days=mean_interval(cycles),
        cycle_median=median(cycles),
        value_per_deal=bootstrap_mean(
            [float(d["amount"] or 0.0) if d["is_won"] else 0.0 for d in deals]
        ),
        repeat=wilson(repeaters, len(wins_by_account)),
    )


@dataclass
class Segment:
    industry: str
    band: str
    stats: GroupStats
    lift: float | None  # value per deal relative to the ICP's (1.2 = 20% more)
    hint: str | None  # "outperforms the ICP" [on win rate (smaller deals)] | "rivals the ICP"
    reasons: list[str]

    @property
    def outperforms(self) -> bool:
        return (self.hint or "").startswith("outperforms")

    def as_dict(self) -> dict[str, Any]:
        return {
            "industry": self.industry,
            "employees": self.band,
            "lift": self.lift,
            "hint": self.hint,
            "outperforms": self.outperforms,
            "reasons": self.reasons,
            **self.stats.as_dict(),
        }


def segments(
    deals: list[dict[str, Any]],
    icp: GroupStats,
    non_icp: GroupStats,
    *,
    min_deals: int = MIN_SEGMENT_DEALS,
) -> list[Segment]:
    """Off-profile segments: hints for the next version first, then by value per closed
    deal (win rate × average won deal size)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in deals:
        if not d["is_icp"]:
            groups[(d["industry"] or "(no industry)", band_of(d["employees"]))].append(d)
    out = [_segment(key, rows, icp, non_icp, min_deals) for key, rows in groups.items()]
    rank = {
        "outperforms the ICP": 0,
        "outperforms the ICP on win rate (smaller deals)": 1,
        "rivals the ICP": 2,
        None: 3,
    }
    return sorted(
        out, key=lambda s: (rank[s.hint], -(s.stats.value_per_deal.value or 0), -s.stats.closed)
    )


def _segment(
    key: tuple[str, str],
    rows: list[dict[str, Any]],
    icp: GroupStats,
    non_icp: GroupStats,
    min_deals: int,
) -> Segment:
    seg = group_stats(f"{key[0]}, {key[1]} employees", rows)
    base, mine = icp.value_per_deal.value, seg.value_per_deal.value
    lift = (mine / base) if base and mine is not None else None
    reasons = [
        f"{seg.closed} closed deals: win rate {_pct(seg.win_rate.value)} vs ICP "
        f"{_pct(icp.win_rate.value)} and other off-profile {_pct(non_icp.win_rate.value)}"
        f"; discount {_pct(seg.discount.value)} vs ICP {_pct(icp.discount.value)}; "
        f"won {_money(mine)} per closed deal vs ICP {_money(base)}"
    ]
    hint, why = _hint(seg, icp, non_icp, min_deals, key)
    return Segment(
        key[0], key[1], seg, None if lift is None else round(lift, 3), hint, reasons + why
    )


def _hint(
    seg: GroupStats, icp: GroupStats, non_icp: GroupStats, min_deals: int, key: tuple[str, str]
) -> tuple[str | None, list[str]]:
    """A segment earns a hint when, on enough deals, it wins clearly more often than the
    off-profile market, is not clearly worse than the ICP, and pays like the ICP."""
    if key[0].startswith("(") or key[1] == "unknown size":
        return None, ["industry or size unknown: fill in the data before reading it as a segment"]
    if seg.closed < min_deals:
        return None, [f"too few deals to call (fewer than {min_deals})"]
    rate, icp_rate = seg.win_rate, icp.win_rate.value or 0.0
    checks = {
        "wins clearly more often than other off-profile deals": (rate.low or 0)
        > (non_icp.win_rate.value or 0),
        "wins about as often as the ICP (its interval reaches the ICP's rate)": (rate.high or 0)
        >= icp_rate,
        "pays like the ICP (discount within two points)": _pays_like(seg, icp),
    }
    failed = [text for text, ok in checks.items() if not ok]
    if failed:
        return None, ["no hint: not " + "; not ".join(t.split(" (")[0] for t in failed)]
    if (rate.value or 0) < icp_rate:
        label = "rivals the ICP"
    elif (seg.value_per_deal.value or 0) >= (icp.value_per_deal.value or 0):
        label = "outperforms the ICP"
    else:
        label = "outperforms the ICP on win rate (smaller deals)"
    return label, [*checks, "a candidate for the next version's ICP"]


def _pays_like(seg: GroupStats, icp: GroupStats) -> bool:
    """Discount no more than two points above the ICP's (or no list prices to tell)."""
    if seg.discount.value is None or icp.discount.value is None:
        return seg.discount.value is None and icp.discount.value is None
    return seg.discount.value <= icp.discount.value + DISCOUNT_TOLERANCE


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _money(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


# ------------------------------------------------------------------ the report


@dataclass
class VersionValue:
    version: str
    icp: GroupStats
    non_icp: GroupStats
    segments: list[Segment]
    verdict: list[str]

    def as_dict(self, top: int | None = None) -> dict[str, Any]:
        return {
            "version": self.version,
            "icp": self.icp.as_dict(),
            "non_icp": self.non_icp.as_dict(),
            "verdict": self.verdict,
            "segments": [s.as_dict() for s in self.segments[:top]],
        }


@dataclass
class IcpValueReport:
    date_from: date | None
    date_to: date | None
    forced_version: str | None
    currency: str
    versions: list[VersionValue]
    all_versions: VersionValue
    generated_at: datetime
    notes: list[str] = field(default_factory=list)

    def as_dict(self, top: int | None = 15) -> dict[str, Any]:
        return {
            "period": {"from": _iso(self.date_from), "to": _iso(self.date_to)},
            "forced_version": self.forced_version,
            "currency": self.currency,
            "versions": [v.as_dict(top) for v in self.versions],
            "all_versions": self.all_versions.as_dict(top),
            "notes": self.notes,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def icp_value_report(
    *,
    store: Store,
    strategy: Strategy,
    date_from: date | None = None,
    date_to: date | None = None,
    version_id: str | None = None,
    now: datetime,
    min_segment_deals: int = MIN_SEGMENT_DEALS,
) -> IcpValueReport:
    """ICP versus non-ICP outcomes per version (and pooled), with off-profile segments."""
    if version_id:
        strategy.version(version_id)  # a clear error for an unknown version
    deals = load_deals(
        store=store,
        strategy=strategy,
        date_from=date_from,
        date_to=date_to,
        forced_version=version_id,
    )
    by_version: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for deal in deals:
        by_version[deal["version_id"]].append(deal)
    order = [v.id for v in sorted(strategy.versions, key=lambda v: v.effective_from)]
    versions = [
        _version_value(v, by_version[v], min_segment_deals) for v in order if by_version.get(v)
    ]
    pooled = _version_value(version_id or "all versions", deals, min_segment_deals)
    notes = (
        []
        if any(d["list_amount"] for d in deals)
        else ["no list prices in the data: discount and price realisation are not shown"]
    )
    return IcpValueReport(
        date_from, date_to, version_id, strategy.currency, versions, pooled, now, notes
    )


def _version_value(version: str, deals: list[dict[str, Any]], min_deals: int) -> VersionValue:
    icp = group_stats("ICP", [d for d in deals if d["is_icp"]])
    non = group_stats("non-ICP", [d for d in deals if not d["is_icp"]])
    return VersionValue(
        version, icp, non, segments(deals, icp, non, min_deals=min_deals), verdict(icp, non)
    )


def verdict(icp: GroupStats, non: GroupStats) -> list[str]:
    """Plain sentences a leader can act on, careful about what the sample supports."""
    if not icp.closed or not non.closed:
        return ["not enough closed deals on both sides to compare"]
    out = []
    a, b = icp.win_rate, non.win_rate
    if a.low is not None and b.high is not None and a.low > b.high:
        out.append(
            f"ICP deals win more often ({_pct(a.value)} vs {_pct(b.value)}), "
            "and the intervals do not overlap"
        )
    elif b.low is not None and a.high is not None and b.low > a.high:
        out.append(
            f"non-ICP deals win more often ({_pct(b.value)} vs {_pct(a.value)}): "
            "the target market is not earning its place on win rate"
        )
    else:
        out.append(
            f"win rates {_pct(a.value)} (ICP) vs {_pct(b.value)}: not clearly different "
            f"on {icp.closed} and {non.closed} deals"
        )
    x, y = icp.deal_size, non.deal_size
    if x.value is not None and y.value is not None:
        clear = x.low is not None and y.high is not None and x.low > y.high
        out.append(
            f"average won deal {_money(x.value)} (ICP) vs {_money(y.value)}"
            + (" — clearly larger" if clear else "")
        )
    d1, d2 = icp.discount, non.discount
    if d1.value is not None and d2.value is not None:
        out.append(f"discount {_pct(d1.value)} (ICP) vs {_pct(d2.value)}")
    return out
