"""The pages' data, built once for the HTML page and its JSON twin.

Each function takes the app state, the viewer (their scope applied here, never in a
template) and the page's parameters, calls the read models the CLI and the tests call
(:mod:`onstrategy.reports`), cuts them to the viewer and adds the page frame: who is
looking, the period, the strategy and the currency its amounts are in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from onstrategy.api.books import may_see_account, visible_deals
from onstrategy.api.params import Period, presets
from onstrategy.api.results import results
from onstrategy.engines.authority import authority_gaps
from onstrategy.engines.exceptions import list_exceptions
from onstrategy.engines.routing import decisions_for, route_lead
from onstrategy.errors import NotFound, OnstrategyError
from onstrategy.reports import books
from onstrategy.reports.alignment import AlignmentReport, Shares, alignment_report
from onstrategy.reports.charts import alignment_charts, company_shares_chart, rep_shares_chart
from onstrategy.web.scope import Viewer
from onstrategy.web.state import WebState

TOP_ACCOUNTS = 50
PAGE_SIZE = 100


def alignment(state: WebState, period: Period) -> AlignmentReport:
    strategy = state.strategy()
    return state.cached(
        ("alignment", period.date_from, period.date_to, period.version),
        lambda: alignment_report(
            store=state.store,
            strategy=strategy,
            date_from=period.date_from,
            date_to=period.date_to,
            version_id=period.version,
            now=datetime.now().astimezone(),
        ),
    )


def _account_owners(state: WebState) -> dict[str, str | None]:
    return state.cached("account_owners", lambda: books.account_owners(store=state.store))


def scoped(
    report: AlignmentReport,
    viewer: Viewer,
    state: WebState,
    *,
    team: str | None = None,
    top: int | None = TOP_ACCOUNTS,
) -> dict[str, Any]:
    """The report cut to what the viewer may see (and to one team when asked)."""
    reps = [r for r in report.reps if viewer.may_see_rep(r.id) and team in (None, r.team)]
    teams = [t for t in report.teams if viewer.may_see_team(t.id) and team in (None, t.id)]
    headline, accounts = report.company, report.accounts
    if team is not None or not viewer.sees_all:
        headline = Shares(
            "team" if team else "scope",
            team or viewer.id,
            teams[0].name if team and teams else f"{viewer.name}: {viewer.describe()}",
        )
        for rep in reps:
            headline.add(rep)
        owners, mine = _account_owners(state), {r.id for r in reps}
        accounts = [a for a in accounts if owners.get(a.account_id) in mine]
    data = replace(report, company=headline, teams=teams, reps=reps, accounts=accounts).as_dict()
    fit = data["account_fit"]
    fit["total"] = len(fit["accounts"])
    if top is not None:
        fit["accounts"] = fit["accounts"][:top]
    return data


def page_frame(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    """What every page's JSON twin has (:class:`onstrategy.api.models.PageModel`)."""
    strategy = state.strategy()
    return {
        "viewer": viewer.as_dict(),
        "query": period.query(),
        "presets": presets(period.today),
        "strategy": {
            "name": strategy.name,
            "versions": [
                {"id": v.id, "effective_from": v.effective_from} for v in strategy.versions
            ],
        },
        "currency": strategy.currency,
    }


def dashboard(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    report = scoped(alignment(state, period), viewer, state)
    return {
        **page_frame(state, viewer, period),
        "report": report,
        "results": results(state, viewer, period),
        "charts": alignment_charts(report),
    }


def team(state: WebState, viewer: Viewer, period: Period, team_id: str) -> dict[str, Any]:
    viewer.require_team(team_id)
    report = scoped(alignment(state, period), viewer, state, team=team_id)
    if not report["teams"]:
        raise NotFound(f"no team {team_id!r} with activity in the period", "pick another period")
    charts = {
        "team": company_shares_chart(report),
        "reps": rep_shares_chart(report),
        "bookings": rep_shares_chart(report, "bookings"),
    }
    return {
        **page_frame(state, viewer, period),
        "team": report["teams"][0],
        "report": report,
        "results": results(state, viewer, period, team=team_id),
        "charts": charts,
    }


def rep(state: WebState, viewer: Viewer, period: Period, rep_id: str) -> dict[str, Any]:
    """A rep's page: shares vs goals, results, their book (:func:`reports.books.rep_book`)
    and the open deals without an approver engaged, on the period's last day."""
    viewer.require_rep(rep_id, f"rep {rep_id}")
    users, teams = books.people(store=state.store)
    if rep_id not in users:
        raise NotFound(f"no rep {rep_id!r}", "pick a rep from the dashboard")
    strategy, store = state.strategy(), state.store
    report = alignment(state, period)
    row = next((r for r in report.reps if r.id == rep_id), None) or Shares(
        "rep", rep_id, users[rep_id]["name"], users[rep_id]["team_id"]
    )
    shares = row.as_dict(report.goals)
    gaps = authority_gaps(store=store, strategy=strategy, as_of=period.date_to, rep=rep_id)
    user = users[rep_id]
    rep_book = books.rep_book(
        store=store,
        strategy=strategy,
        rep_id=rep_id,
        date_from=period.date_from,
        date_to=period.date_to,
        version_id=period.version,
    )
    return {
        **page_frame(state, viewer, period),
        "rep": {**user, "team_name": (teams.get(user["team_id"] or "") or {}).get("name")},
        "shares": shares,
        "results": results(state, viewer, period, rep=rep_id),
        **rep_book,
        "authority_gaps": [d for d in gaps.as_dict()["deals"] if d["authority_gap"]],
        "charts": {"shares": company_shares_chart({"company": shares})},
    }


def account(state: WebState, viewer: Viewer, period: Period, account_id: str) -> dict[str, Any]:
    """An account's page (:func:`reports.books.account_view`): the deals the viewer may see."""
    store = state.store
    may_see_account(
        store,
        viewer,
        books.record(store=store, table="account", record_id=account_id, what="account"),
    )
    data = books.account_view(store=store, strategy=state.strategy(), account_id=account_id)
    data["deals"] = visible_deals(viewer, data["deals"])
    return {**page_frame(state, viewer, period), **data}


def accounts(
    state: WebState,
    viewer: Viewer,
    period: Period,
    *,
    search: str | None,
    tier: str | None,
    offset: int,
) -> dict[str, Any]:
    report = scoped(alignment(state, period), viewer, state, top=None)
    rows = report["account_fit"]["accounts"]
    if tier:
        rows = [a for a in rows if a["tier"] == tier.upper()]
    if search:
        rows = [a for a in rows if search.lower() in (a["name"] or "").lower()]
    return {
        **page_frame(state, viewer, period),
        "version": report["account_fit"]["version"],
        "tiers": report["account_fit"]["tiers"],
        "total": len(rows),
        "offset": offset,
        "page_size": PAGE_SIZE,
        "search": search,
        "tier": tier,
        "accounts": rows[offset : offset + PAGE_SIZE],
    }


def deal(state: WebState, viewer: Viewer, period: Period, deal_id: str) -> dict[str, Any]:
    """A deal's page (:func:`reports.books.deal_view`) as it stood on the period's last day
    (today's, for a deal created after it), and the exceptions asked for it."""
    store, strategy = state.store, state.strategy()
    record = books.record(store=store, table="opportunity", record_id=deal_id, what="deal")
    viewer.require_rep(record["owner_id"], f"deal {deal_id}")
    as_of = _deal_day(record, period)
    exceptions = [
        e.as_dict()
        for e in list_exceptions(store=store, as_of=period.today, viewer=viewer.id)
        if e.subject_kind == "opportunity" and e.subject_id == deal_id
    ]
    return {
        **page_frame(state, viewer, period),
        **books.deal_view(store=store, strategy=strategy, deal_id=deal_id, as_of=as_of),
        "exceptions": exceptions,
    }


def _deal_day(record: dict[str, Any], period: Period) -> date:
    created: date | None = record["created_on"]
    return period.date_to if created is None or created <= period.date_to else period.today


def lead(state: WebState, viewer: Viewer, period: Period, lead_id: str) -> dict[str, Any]:
    """A lead, why the gate let it in or not, and why it went to whom (routing explain)."""
    store = state.store
    record = books.record(store=store, table="lead", record_id=lead_id, what="lead")
    viewer.require_rep(record["owner_id"], f"lead {lead_id}")
    users, _ = books.people(store=store)
    stored = [d.as_dict() for d in decisions_for(store=store, lead_id=lead_id)]
    return {
        **page_frame(state, viewer, period),
        "lead": {**record, "owner_name": (users.get(record["owner_id"] or "") or {}).get("name")},
        "routing": stored,
        "routing_today": None if stored else routing_today(state, period, lead_id),
    }


def routing_today(state: WebState, period: Period, lead_id: str) -> dict[str, Any]:
    """How the routing rules would decide today (nothing is stored), or why they would not."""
    try:
        decision = route_lead(
            store=state.store,
            strategy=state.strategy(),
            lead_id=lead_id,
            as_of=period.today,
            now=datetime.now().astimezone(),
            dry_run=True,
        )
    except OnstrategyError as err:
        return {"decision": None, "why_not": err.message}
    return {"decision": decision.as_dict(), "why_not": None}


AUDIT_LIMIT = 200


def audit(
    state: WebState, viewer: Viewer, period: Period, *, action: str | None, actor: str | None
) -> dict[str, Any]:
    """The audit log (executives and admins): every change made through the web or CLI."""
    viewer.require_role(("executive", "admin"), "read the audit log")
    entries = books.audit_entries(store=state.store, limit=AUDIT_LIMIT, action=action, actor=actor)
    return {
        **page_frame(state, viewer, period),
        "entries": entries,
        "action": action,
        "actor": actor,
        "limit": AUDIT_LIMIT,
    }
