"""Did sales shift when the strategy did?

For a strategy version V with effective date D, each rep's and team's selling is compared
before, ``[D − window, D)``, and after, ``[D, min(D + window, as_of)]``:

* **approver share** — the share of calls and meetings (count and hours) with contacts who
  can approve one of V's *new offerings* (offerings not in the previous version; if none are
  new, all of V's offerings): the "required-level buyers".
* **non-approver share** — the share of calls and meetings with classified contacts who can
  approve none of the new offerings (e.g. IT managers and purchasing for a service only a
  CIO can buy). Calls with no contact, or a contact whose title gave no persona, are
  counted apart as *unknown*, so the three shares add up to one.
* **offering mix** — the amount of new pipeline (opportunities created in the period) per
  offering, and the share of it that is a new offering.

**Verdict** per rep, from the approver share of calls and meetings (counts); the defaults
(30 %, 10 points, 10 calls and meetings) sit between a rep who keeps calling IT managers
and purchasing (under 20 % after the change) and one who moved to VPs and CIOs:

* ``too little activity`` — fewer than ``min_touches`` calls and meetings after D;
* ``shifted`` — after-share ≥ ``min_share`` and gained ≥ ``min_gain`` points;
* ``already aligned`` (counts as shifted) — at or above ``min_share`` both before and after;
* ``not shifted`` — otherwise. For these reps the report lists the non-approver contacts
  they keep meeting after D (title, persona, account, calls and meetings before and after)
  and the accounts behind that activity.

``shifted`` is true for the 2nd and 3rd verdicts, false for ``not shifted``, else empty.
Hours are the shared definition (``engines.definitions``: a missing duration takes the
default of the version in force on the activity's day, so the window before D uses the
previous version's). Counting is Ibis (SQLite and PostgreSQL alike); personas are judged by
the strategy model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from onstrategy.engines.authority import (
    classify,
    new_offerings,
    offering_id,
    previous_version,
)
from onstrategy.engines.definitions import TIMED_KINDS, hours_of
from onstrategy.errors import InvalidInput
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Offering, Strategy, Version

MIN_SHARE = 0.30
MIN_GAIN = 0.10
MIN_TOUCHES = 10
TOP_CONTACTS = 10
SHIFTED = {"shifted": True, "already aligned": True, "not shifted": False}
COUNTERS: tuple[str, ...] = ("touches", "hours", "deals", "approver_touches", "approver_hours")
COUNTERS += ("non_approver_touches", "non_approver_hours")


@dataclass
class Period:
    """Calls and meetings by buyer persona, and new pipeline by offering, in one period."""

    touches: int = 0
    hours: float = 0.0
    approver_touches: int = 0
    approver_hours: float = 0.0
    non_approver_touches: int = 0
    non_approver_hours: float = 0.0
    pipeline: dict[str, float] = field(default_factory=dict)
    deals: int = 0

    def add(self, other: Period) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for offering, amount in other.pipeline.items():
            self.pipeline[offering] = self.pipeline.get(offering, 0.0) + amount

    def count(self, kind: str, touches: int, hours: float) -> None:
        self.touches += touches
        self.hours += hours
        if kind in ("approver", "non_approver"):
            setattr(self, f"{kind}_touches", getattr(self, f"{kind}_touches") + touches)
            setattr(self, f"{kind}_hours", getattr(self, f"{kind}_hours") + hours)

    @property
    def approver_share(self) -> float | None:
        return self.approver_touches / self.touches if self.touches else None

    def as_dict(self, new_offerings: set[str]) -> dict[str, Any]:
        total = sum(self.pipeline.values())
        new = sum(v for k, v in self.pipeline.items() if k in new_offerings)
        unknown = self.touches - self.approver_touches - self.non_approver_touches
        return {
            "calls_and_meetings": self.touches,
            "hours": round(self.hours, 2),
            "approver_share": _ratio(self.approver_touches, self.touches),
            "approver_hours_share": _ratio(self.approver_hours, self.hours),
            "non_approver_share": _ratio(self.non_approver_touches, self.touches),
            "non_approver_hours_share": _ratio(self.non_approver_hours, self.hours),
            "unknown_share": _ratio(unknown, self.touches),
            "new_pipeline": round(total, 2),
            "new_deals": self.deals,
            "pipeline_by_offering": {k: round(v, 2) for k, v in sorted(self.pipeline.items())},
            "new_offering_share_of_pipeline": _ratio(new, total),
        }


def _ratio(part: float, total: float) -> float | None:
    return round(part / total, 4) if total else None


@dataclass(frozen=True)
class KeptContact:
    contact_id: str
    name: str
    title: str | None
    persona: str
    account_id: str | None
    account_name: str | None
    before: int  # calls and meetings before D
    after: int
    meetings_after: int


@dataclass
class RepShift:
    id: str
    name: str
    team: str | None
    before: Period
    after: Period
    verdict: str = ""
    shifted: bool | None = None  # None: too little activity to judge
    reasons: list[str] = field(default_factory=list)
    kept_contacts: list[KeptContact] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, new_offerings: set[str]) -> dict[str, Any]:
        before, after = self.before.approver_share, self.after.approver_share
        gain = None if before is None or after is None else round(after - before, 4)
        return {
            "id": self.id,
            "name": self.name,
            "team": self.team,
            "verdict": self.verdict,
            "shifted": self.shifted,
            "reasons": self.reasons,
            "approver_share_gain": gain,
            "before": self.before.as_dict(new_offerings),
            "after": self.after.as_dict(new_offerings),
            "kept_contacts": [vars(c) for c in self.kept_contacts],
            "accounts": self.accounts,
        }


@dataclass
class ShiftReport:
    version: str
    previous: str | None
    effective_from: date
    as_of: date
    window_days: int
    before: tuple[date, date]
    after: tuple[date, date]
    new_offerings: list[Offering]
    rule: dict[str, float]
    company: tuple[Period, Period]
    teams: list[tuple[str, str, Period, Period, dict[str, int]]]
    reps: list[RepShift]

    def as_dict(self) -> dict[str, Any]:
        ids = {o.id for o in self.new_offerings}
        return {
            "version": self.version,
            "previous_version": self.previous,
            "effective_from": self.effective_from,
            "as_of": self.as_of,
            "window_days": self.window_days,
            "before": {"from": self.before[0], "to": self.before[1]},
            "after": {"from": self.after[0], "to": self.after[1]},
            "new_offerings": [
                {
                    "id": o.id,
                    "name": o.name,
                    "approved_by": [p.describe() for p in o.approvers],
                    "never_approved_by": [p.describe() for p in o.non_approvers],
                }
                for o in self.new_offerings
            ],
            "rule": self.rule,
            "company": {
                "before": self.company[0].as_dict(ids),
                "after": self.company[1].as_dict(ids),
            },
            "teams": [_team_dict(team, ids) for team in self.teams],
            "reps": [r.as_dict(ids) for r in self.reps],
            "not_shifted": [r.id for r in self.reps if r.verdict == "not shifted"],
        }


def _team_dict(team: tuple[str, str, Period, Period, dict[str, int]], ids: set[str]) -> Any:
    key, name, before, after, verdicts = team
    return {"id": key, "name": name, "before": before.as_dict(ids),
            "after": after.as_dict(ids), "verdicts": verdicts}  # fmt: skip


# ------------------------------------------------------------------ portable expressions


def _timed(store: Store, start: date, cut: date, end: date, strategy: Strategy) -> ir.Table:
    act = store.table("activity")
    lo, hi = ibis.literal(start, "date"), ibis.literal(end, "date")
    act = act.filter(
        act.kind.isin(TIMED_KINDS), act.occurred_on.between(lo, hi), act.owner_id.notnull()
    )
    return act.mutate(
        period=(act.occurred_on < ibis.literal(cut, "date")).ifelse("before", "after"),
        hours=hours_of(act, strategy=strategy),
    )


def persona_activity(
    *, store: Store, start: date, cut: date, end: date, strategy: Strategy
) -> ir.Table:
    """(owner_id, period, seniority, function) → calls+meetings and hours."""
    act = _timed(store, start, cut, end, strategy)
    contact = store.table("contact").select(cid="id", seniority="seniority", function="function")
    joined = act.left_join(contact, act.contact_id == contact.cid)
    return joined.group_by(["owner_id", "period", "seniority", "function"]).aggregate(
        touches=joined.count(), hours=joined.hours.sum()
    )


def pipeline_mix(*, store: Store, start: date, cut: date, end: date) -> ir.Table:
    """(owner_id, period, product) → amount and count of opportunities created."""
    opp = store.table("opportunity")
    opp = opp.filter(
        opp.created_on.between(ibis.literal(start, "date"), ibis.literal(end, "date")),
        opp.owner_id.notnull(),
    )
    opp = opp.mutate(
        period=(opp.created_on < ibis.literal(cut, "date")).ifelse("before", "after"),
        amount=opp.amount.cast("float64").fill_null(0.0),
    )
    return opp.group_by(["owner_id", "period", "product"]).aggregate(
        amount=opp.amount.sum(), deals=opp.count()
    )


def contact_activity(
    *, store: Store, owners: list[str], start: date, cut: date, end: date, strategy: Strategy
) -> ir.Table:
    """(owner, contact) → calls+meetings before and after, meetings after, with names."""
    act = _timed(store, start, cut, end, strategy)
    act = act.filter(act.owner_id.isin(owners), act.contact_id.notnull())
    after = act.period == "after"
    grouped = act.group_by(["owner_id", "contact_id"]).aggregate(
        before=(~after).ifelse(1, 0).sum(),
        after=after.ifelse(1, 0).sum(),
        meetings_after=(after & (act.kind == "meeting")).ifelse(1, 0).sum(),
    )
    contact = store.table("contact").select(
        cid="id",
        first_name="first_name",
        last_name="last_name",
        title="title",
        seniority="seniority",
        function="function",
        account_id="account_id",
    )
    account = store.table("account").select(aid="id", account_name="name")
    joined = grouped.left_join(contact, grouped.contact_id == contact.cid)
    joined = joined.left_join(account, joined.account_id == account.aid)
    return joined.drop("cid", "aid")


# ------------------------------------------------------------------ persona rules


def _cell(out: dict[str, dict[str, Period]], row: dict[str, Any]) -> Period:
    return out.setdefault(row["owner_id"], {"before": Period(), "after": Period()})[row["period"]]


def _periods(
    touch_rows: list[dict[str, Any]],
    deal_rows: list[dict[str, Any]],
    offerings: list[Offering],
    version: Version,
    previous: Version | None,
) -> dict[str, dict[str, Period]]:
    out: dict[str, dict[str, Period]] = {}
    for row in touch_rows:
        kind = classify(offerings, row["seniority"], row["function"])
        _cell(out, row).count(kind, int(row["touches"]), float(row["hours"] or 0.0))
    for row in deal_rows:
        cell = _cell(out, row)
        offering = offering_id(row["product"], version, previous)
        cell.pipeline[offering] = cell.pipeline.get(offering, 0.0) + float(row["amount"] or 0.0)
        cell.deals += int(row["deals"])
    return out


# ------------------------------------------------------------------ verdicts


def verdict(
    rep: RepShift, *, min_share: float, min_gain: float, min_touches: int
) -> tuple[str, list[str]]:
    before, after = rep.before.approver_share, rep.after.approver_share
    if rep.after.touches < min_touches or after is None:
        return "too little activity", [
            f"{rep.after.touches} calls and meetings after the change (need {min_touches})"
        ]
    shown = f"{after:.0%} of calls and meetings after the change were with approvers"
    if before is None:
        ok = after >= min_share
        return ("shifted" if ok else "not shifted"), [
            f"{shown}; no calls or meetings before (threshold {min_share:.0%})"
        ]
    gain = after - before
    trend = f"{shown} (before: {before:.0%}, {gain * 100:+.0f} pts)"
    if after >= min_share and gain >= min_gain:
        return "shifted", [trend]
    if after >= min_share and before >= min_share:
        return "already aligned", [f"{trend}; already at or above {min_share:.0%} before"]
    reasons = [trend]
    if after < min_share:
        reasons.append(f"below the {min_share:.0%} expected after the change")
    if gain < min_gain:
        reasons.append(f"gained less than {min_gain * 100:.0f} points")
    return "not shifted", reasons


def _kept(rows: list[dict[str, Any]], offerings: list[Offering]) -> list[KeptContact]:
    kept = []
    for row in rows:
        if classify(offerings, row["seniority"], row["function"]) != "non_approver":
            continue
        if not row["after"]:
            continue
        name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
        kept.append(
            KeptContact(
                contact_id=str(row["contact_id"]),
                name=name or str(row["contact_id"]),
                title=row.get("title"),
                persona=f"{row['seniority']}/{row['function']}",
                account_id=row.get("account_id"),
                account_name=row.get("account_name"),
                before=int(row["before"]),
                after=int(row["after"]),
                meetings_after=int(row["meetings_after"]),
            )
        )
    return sorted(kept, key=lambda c: (-c.after, -c.before, c.name))


def _accounts(rows: list[dict[str, Any]], offerings: list[Offering]) -> list[dict[str, Any]]:
    """Per account: calls and meetings after D with non-approvers and with approvers."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        kind = classify(offerings, row["seniority"], row["function"])
        key = str(row.get("account_id") or "(no account)")
        cell = out.setdefault(
            key,
            {
                "account_id": row.get("account_id"),
                "account_name": row.get("account_name"),
                "non_approver_touches": 0,
                "approver_touches": 0,
            },
        )
        if kind in ("approver", "non_approver"):
            cell[f"{kind}_touches"] += int(row["after"])
    ranked = [c for c in out.values() if c["non_approver_touches"]]
    return sorted(ranked, key=lambda c: (-c["non_approver_touches"], c["approver_touches"]))


# ------------------------------------------------------------------ the report


def pick_version(*, strategy: Strategy, version_id: str | None, as_of: date) -> Version:
    """The version asked for, or the latest that has started by ``as_of``."""
    version = strategy.version(version_id) if version_id else strategy.version_on(as_of)
    if version.effective_from > as_of:
        raise InvalidInput(
            f"version {version.id} starts on {version.effective_from}, after {as_of}",
            "nothing has happened under it yet; use `onstrategy strategy simulate` instead",
        )
    return version


def _users(store: Store) -> dict[str, dict[str, Any]]:
    users = store.table("user_account").select("id", "name", "team_id", "role")
    return {str(u["id"]): u for u in users.to_pyarrow().to_pylist()}


def _teams(
    reps: list[RepShift], names: dict[str, str]
) -> list[tuple[str, str, Period, Period, dict[str, int]]]:
    grouped: dict[str, tuple[Period, Period, dict[str, int]]] = {}
    for rep in reps:
        team = rep.team or "(no team)"
        before, after, verdicts = grouped.setdefault(team, (Period(), Period(), {}))
        before.add(rep.before)
        after.add(rep.after)
        verdicts[rep.verdict] = verdicts.get(rep.verdict, 0) + 1
    return [(t, names.get(t, t), b, a, v) for t, (b, a, v) in sorted(grouped.items())]


def shift_report(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    version_id: str | None = None,
    window_days: int = 180,
    min_share: float = MIN_SHARE,
    min_gain: float = MIN_GAIN,
    min_touches: int = MIN_TOUCHES,
) -> ShiftReport:
    """Before/after the version's effective date, for every rep and team (see module doc)."""
    if window_days < 1:
        raise InvalidInput(f"--window {window_days} is too short", "use a number of days ≥ 1")
    version = pick_version(strategy=strategy, version_id=version_id, as_of=as_of)
    previous, cut = previous_version(strategy, version), version.effective_from
    start, end = cut - timedelta(days=window_days), min(cut + timedelta(days=window_days), as_of)
    offerings = new_offerings(version, previous)
    span: dict[str, Any] = {"store": store, "start": start, "cut": cut, "end": end}
    periods = _periods(
        persona_activity(**span, strategy=strategy).to_pyarrow().to_pylist(),
        pipeline_mix(**span).to_pyarrow().to_pylist(),
        offerings,
        version,
        previous,
    )
    users = _users(store)
    reps = []
    for owner, cells in sorted(
        periods.items(), key=lambda kv: users.get(kv[0], {}).get("name") or kv[0]
    ):
        user = users.get(owner, {})
        rep = RepShift(
            owner, user.get("name") or owner, user.get("team_id"), cells["before"], cells["after"]
        )
        rep.verdict, rep.reasons = verdict(
            rep, min_share=min_share, min_gain=min_gain, min_touches=min_touches
        )
        rep.shifted = SHIFTED.get(rep.verdict)
        reps.append(rep)
    _explain_not_shifted(reps, offerings, span, strategy)
    company = (Period(), Period())
    for rep in reps:
        company[0].add(rep.before)
        company[1].add(rep.after)
    team_names = {
        str(t["id"]): t["name"]
        for t in store.table("team").select("id", "name").to_pyarrow().to_pylist()
    }
    return ShiftReport(
        version=version.id,
        previous=previous.id if previous else None,
        effective_from=cut,
        as_of=as_of,
        window_days=window_days,
        before=(start, cut - timedelta(days=1)),
        after=(cut, end),
        new_offerings=offerings,
        rule={"min_share": min_share, "min_gain": min_gain, "min_touches": min_touches},
        company=company,
        teams=_teams(reps, team_names),
        reps=reps,
    )


def _explain_not_shifted(
    reps: list[RepShift], offerings: list[Offering], span: dict[str, Any], strategy: Strategy
) -> None:
    lagging = {r.id: r for r in reps if r.verdict == "not shifted"}
    if not lagging:
        return
    rows = contact_activity(owners=list(lagging), strategy=strategy, **span).to_pyarrow()
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for row in rows.to_pylist():
        by_owner.setdefault(str(row["owner_id"]), []).append(row)
    for owner, rep in lagging.items():
        rep.kept_contacts = _kept(by_owner.get(owner, []), offerings)[:TOP_CONTACTS]
        rep.accounts = _accounts(by_owner.get(owner, []), offerings)[:TOP_CONTACTS]
