"""The JSON API: one route per page (``/X`` is the page, ``/api/X`` its twin; the dashboard
``/`` is ``/api/dashboard``), the chart specs, and the actions.

Every route depends on the signed-in viewer; every POST on the CSRF token. Errors have
one shape (:class:`onstrategy.api.models.ErrorResponse`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder

from onstrategy.api import analytics, right_leads, routing, strategy_docs, views, work
from onstrategy.api.models import (
    ERRORS,
    DashboardModel,
    DecisionRequest,
    ExceptionModel,
    ExceptionRequest,
    ListModel,
    ListsModel,
    MatchesModel,
    PageModel,
    ReleaseRequest,
    ReleaseResult,
    ResolveRequest,
    ReviewModel,
    RoutingDecisionModel,
    SessionModel,
    TerritoriesModel,
    UploadResult,
)
from onstrategy.api.params import Period, period_params
from onstrategy.errors import NotFound
from onstrategy.web.scope import Viewer
from onstrategy.web.security import CsrfDep, ViewerDep, csrf_token, state_of

PeriodDep = Depends(period_params)
router = APIRouter(prefix="/api", responses=ERRORS)
Data = dict[str, Any]


def _json(data: Any) -> Data:
    encoded: Data = jsonable_encoder(data)
    return encoded


@router.get("/me", response_model=SessionModel, tags=["session"])
async def me(request: Request, viewer: Viewer = ViewerDep) -> Any:
    """Who you are, what you may see, and the CSRF token for POSTs."""
    return {"viewer": viewer.as_dict(), "csrf_token": csrf_token(request)}


@router.get("/dashboard", tags=["pages"], response_model=DashboardModel)
async def dashboard(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """The strategy-execution dashboard: ICP shares vs goals for your scope, teams, reps."""
    return _json(await state_of(request).run(views.dashboard, state_of(request), viewer, period))


@router.get("/dashboard/charts/{name}", tags=["charts"])
async def dashboard_chart(
    request: Request, name: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One Vega-Lite spec of the dashboard (company, reps, bookings, tiers)."""
    charts = (await state_of(request).run(views.dashboard, state_of(request), viewer, period))[
        "charts"
    ]
    if name not in charts:
        raise NotFound(f"no chart {name!r}", f"charts: {', '.join(charts)}")
    return _json(charts[name])


@router.get("/teams/{team_id}", tags=["pages"], response_model=PageModel)
async def team(
    request: Request, team_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One team: its shares vs goals and its reps."""
    return _json(
        await state_of(request).run(views.team, state_of(request), viewer, period, team_id)
    )


@router.get("/reps/{rep_id}", tags=["pages"], response_model=PageModel)
async def rep(
    request: Request, rep_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One rep: shares vs goals, deals and accounts with fit reasons, leads, authority gaps."""
    return _json(await state_of(request).run(views.rep, state_of(request), viewer, period, rep_id))


@router.get("/accounts", tags=["pages"], response_model=PageModel)
async def accounts(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    q: str | None = Query(None, description="part of the account name"),
    tier: str | None = Query(None, description="A, B, C or D"),
    offset: int = Query(0, ge=0),
) -> Data:
    """Accounts in your scope by ICP fit under the version in force at the period's end."""
    return _json(
        await state_of(request).run(
            views.accounts, state_of(request), viewer, period, search=q, tier=tier, offset=offset
        )
    )


@router.get("/accounts/{account_id}", tags=["pages"], response_model=PageModel)
async def account(
    request: Request, account_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One account: fit score and reasons under each strategy version, deals, contacts."""
    return _json(
        await state_of(request).run(views.account, state_of(request), viewer, period, account_id)
    )


@router.get("/deals/{deal_id}", tags=["pages"], response_model=PageModel)
async def deal(
    request: Request, deal_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One deal: the account's fit, who was engaged vs who approves, exceptions."""
    return _json(
        await state_of(request).run(views.deal, state_of(request), viewer, period, deal_id)
    )


@router.get("/leads/{lead_id}", tags=["pages"], response_model=PageModel)
async def lead(
    request: Request, lead_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One lead: the gate's verdict, the routing decisions ("why did I get this lead?") and
    whether you may route it now (``routing_action``)."""
    return _json(
        await state_of(request).run(routing.lead, state_of(request), viewer, period, lead_id)
    )


@router.get("/gate", tags=["pages"], response_model=PageModel)
async def gate(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    kind: str = Query("leads", pattern="^(leads|accounts)$"),
    status: str = Query("quarantined", pattern="^(quarantined|released|active|all)$"),
    q: str | None = Query(None, description="name, company, email or domain"),
    source: str | None = None,
) -> Data:
    """The intake gate: quarantined records with the reasons, and the share by source."""
    return _json(
        await state_of(request).run(
            work.gate,
            state_of(request),
            viewer,
            period,
            kind=kind,
            status=status,
            search=q,
            source=source,
        )
    )


@router.post(
    "/gate/{kind}/{record_id}/release",
    response_model=ReleaseResult,
    tags=["actions"],
    dependencies=[CsrfDep],
)
async def release(
    request: Request, kind: str, record_id: str, body: ReleaseRequest, viewer: Viewer = ViewerDep
) -> Any:
    """Let a quarantined lead or account in (admins; audit-logged)."""
    return jsonable_encoder(
        await state_of(request).run(
            work.release_record,
            state_of(request),
            viewer,
            kind=kind,
            record_id=record_id,
            reason=body.reason,
        )
    )


@router.get("/exceptions", tags=["pages"], response_model=PageModel)
async def exceptions(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    status: str | None = Query(None, pattern="^(pending|approved|rejected|expired)$"),
) -> Data:
    """Off-profile exceptions you may see, and open off-profile deals without one."""
    return _json(
        await state_of(request).run(
            work.exceptions, state_of(request), viewer, period, status=status
        )
    )


@router.post("/exceptions", response_model=ExceptionModel, tags=["actions"], dependencies=[CsrfDep])
async def ask_exception(
    request: Request, body: ExceptionRequest, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Any:
    """Ask for an off-profile exception (the owner, their manager or an executive)."""
    state = state_of(request)
    return jsonable_encoder(await state.run(work.ask, state, viewer, period, **body.model_dump()))


@router.post(
    "/exceptions/{exception_id}/decision",
    response_model=ExceptionModel,
    tags=["actions"],
    dependencies=[CsrfDep],
)
async def decision(
    request: Request,
    exception_id: int,
    body: DecisionRequest,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
) -> Any:
    """Approve or reject a pending exception (the rep's manager; audit-logged)."""
    return jsonable_encoder(
        await state_of(request).run(
            work.decide,
            state_of(request),
            viewer,
            period,
            exception_id=exception_id,
            approve=body.decision == "approve",
            comment=body.comment,
        )
    )


@router.get("/audit", tags=["pages"], response_model=PageModel)
async def audit(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    action: str | None = Query(None, description="actions starting with this, e.g. gate."),
    actor: str | None = Query(None, description="a user id"),
) -> Data:
    """The audit log, newest first (executives and admins)."""
    state = state_of(request)
    return _json(await state.run(views.audit, state, viewer, period, action=action, actor=actor))


@router.get("/strategy", tags=["pages"], response_model=PageModel)
async def strategy(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """The strategy in force: versions, goals, segments, its source and the uploads."""
    state = state_of(request)
    return _json(await state.run(strategy_docs.strategy_page, state, viewer, period))


@router.post("/strategy", response_model=UploadResult, tags=["actions"], dependencies=[CsrfDep])
async def upload_strategy(
    request: Request, file: UploadFile = File(...), viewer: Viewer = ViewerDep
) -> Any:
    """Upload a strategy YAML (admins; validated, kept, audit-logged)."""
    state, content = state_of(request), await file.read()
    return jsonable_encoder(
        await state.run(
            strategy_docs.upload, state, viewer, content=content, filename=file.filename or ""
        )
    )


def _analysis(name: str, doc: str) -> None:
    build = getattr(analytics, name.replace("-", "_"))

    async def route(
        request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
    ) -> Data:
        return _json(await state_of(request).run(build, state_of(request), viewer, period))

    route.__doc__ = doc
    router.add_api_route(
        f"/{name}",
        route,
        response_model=PageModel,
        methods=["GET"],
        tags=["pages"],
        name=f"api_{name}",
        summary=doc.split(".")[0],
    )


ANALYSES = {
    "alerts": "Drift alerts: shares below goal and off-ICP effort, each with its evidence.",
    "authority": "Authority gaps: open deals where nobody who can approve was engaged.",
    "shift": "Shift to approvers: did reps move to the people who buy the new offerings.",
    "consultative": "Consultative selling: talk ratio, questions, insight and win rates.",
    "effort": "Effort: hours and emails on ICP vs off-ICP accounts, and their cost.",
    "icp-value": "ICP value: win rate, deal size, discount and cycle of ICP vs non-ICP deals.",
}
for _name, _doc in ANALYSES.items():
    _analysis(_name, _doc)


# ------------------------------------------------------------------ lists, matches, territories


@router.get("/lists", tags=["pages"], response_model=ListsModel)
async def lists(request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep) -> Data:
    """Named-account lists: entries, matched, to review, white space (`onstrategy lists list`)."""
    state = state_of(request)
    return _json(await state.run(right_leads.lists, state, viewer, period))


@router.get("/lists/{list_id}", tags=["pages"], response_model=ListModel)
async def named_list(
    request: Request,
    list_id: str,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    show: str = Query("all", pattern="^(all|white_space|to_review|duplicates)$"),
    offset: int = Query(0, ge=0),
) -> Data:
    """One list's entries with their matched account and the reasons, filtered and paged."""
    state = state_of(request)
    return _json(
        await state.run(
            right_leads.named_list, state, viewer, period, list_id, show=show, offset=offset
        )
    )


@router.get("/matches", tags=["pages"], response_model=MatchesModel)
async def matches(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    kind: str | None = Query(None, pattern="^(lead|list_entry|)$", description="default: both"),
    status: str = Query("open", pattern="^(open|resolved|withdrawn|all)$"),
    offset: int = Query(0, ge=0),
) -> Data:
    """The match review queue: records too close to call, with candidates, scores, reasons."""
    state = state_of(request)
    return _json(
        await state.run(
            right_leads.matches,
            state,
            viewer,
            period,
            kind=kind or None,
            status=status,
            offset=offset,
        )
    )


@router.post(
    "/matches/{review_id}/resolve",
    response_model=ReviewModel,
    tags=["actions"],
    dependencies=[CsrfDep],
)
async def resolve_match(
    request: Request, review_id: int, body: ResolveRequest, viewer: Viewer = ViewerDep
) -> Any:
    """Decide a review item: the account it is, or none (reviewers; audit-logged)."""
    state = state_of(request)
    return jsonable_encoder(
        await state.run(
            right_leads.resolve,
            state,
            viewer,
            review_id=review_id,
            account_id=right_leads.chosen_account(body.account_id, body.none),
            comment=body.comment,
        )
    )


@router.get("/territories", tags=["pages"], response_model=TerritoriesModel)
async def territories(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """`onstrategy territories check` as of `to`: uncovered ICP accounts, double claims, load."""
    state = state_of(request)
    return _json(await state.run(right_leads.territories, state, viewer, period))


@router.get("/territories/charts/{name}", tags=["charts"])
async def territories_chart(
    request: Request, name: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Data:
    """One Vega-Lite spec of the territories page (load vs capacity)."""
    state = state_of(request)
    charts = (await state.run(right_leads.territories, state, viewer, period))["charts"]
    if name not in charts:
        raise NotFound(f"no chart {name!r}", f"charts: {', '.join(charts)}")
    return _json(charts[name])


@router.post(
    "/leads/{lead_id}/route",
    response_model=RoutingDecisionModel,
    tags=["actions"],
    dependencies=[CsrfDep],
)
async def route_lead(
    request: Request, lead_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Any:
    """Route a lead nobody owns, as `onstrategy route LEAD_ID` (admins, executives, the
    lead's team manager); the decision and its reasons are stored and audit-logged."""
    state = state_of(request)
    return jsonable_encoder(await state.run(routing.route_now, state, viewer, period, lead_id))
