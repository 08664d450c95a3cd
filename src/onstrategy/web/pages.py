"""HTML pages: each calls the same read model as its JSON twin (``/api`` + the path) and
renders it; HTMX requests get only the content block."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onstrategy.api import analytics, right_leads, routing, strategy_docs, views, work
from onstrategy.api.params import Period, period_params
from onstrategy.errors import InvalidInput
from onstrategy.web.render import fragment, is_htmx, render
from onstrategy.web.scope import Viewer
from onstrategy.web.security import CsrfDep, ViewerDep, state_of

router = APIRouter(include_in_schema=False)
PeriodDep = Depends(period_params)


@router.get("/")
async def dashboard(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    data = await state_of(request).run(views.dashboard, state_of(request), viewer, period)
    return render(request, "dashboard.html.j2", data, page="dashboard", title="Dashboard")


@router.get("/teams/{team_id}")
async def team(
    request: Request, team_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    data = await state_of(request).run(views.team, state_of(request), viewer, period, team_id)
    return render(request, "team.html.j2", data, page="dashboard", title=data["team"]["name"])


@router.get("/reps/{rep_id}")
async def rep(
    request: Request, rep_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    data = await state_of(request).run(views.rep, state_of(request), viewer, period, rep_id)
    return render(request, "rep.html.j2", data, page="dashboard", title=data["rep"]["name"])


@router.get("/accounts")
async def accounts(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    q: str | None = None,
    tier: str | None = None,
    offset: int = Query(0, ge=0),
) -> HTMLResponse:
    data = await state_of(request).run(
        views.accounts, state_of(request), viewer, period, search=q, tier=tier, offset=offset
    )
    return render(request, "accounts.html.j2", data, page="accounts", title="Accounts")


@router.get("/accounts/{account_id}")
async def account(
    request: Request, account_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    data = await state_of(request).run(views.account, state_of(request), viewer, period, account_id)
    return render(request, "account.html.j2", data, page="accounts", title=data["account"]["name"])


@router.get("/deals/{deal_id}")
async def deal(
    request: Request, deal_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    data = await state_of(request).run(views.deal, state_of(request), viewer, period, deal_id)
    return render(request, "deal.html.j2", data, page="dashboard", title=data["deal"]["name"])


@router.get("/leads/{lead_id}")
async def lead(
    request: Request, lead_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    data = await state_of(request).run(routing.lead, state_of(request), viewer, period, lead_id)
    return render(request, "lead.html.j2", data, page="gate", title=f"Lead {lead_id}")


@router.post("/leads/{lead_id}/route", dependencies=[CsrfDep])
async def route_lead(
    request: Request, lead_id: str, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> Response:
    state = state_of(request)
    decision = await state.run(routing.route_now, state, viewer, period, lead_id)
    if is_htmx(request):
        return fragment(request, "_routing_decision.html.j2", r=decision, just_routed=True)
    return RedirectResponse(f"/leads/{quote(lead_id, safe='')}", status_code=303)


@router.get("/gate")
async def gate(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    kind: str = Query("leads", pattern="^(leads|accounts)$"),
    status: str = Query("quarantined", pattern="^(quarantined|released|active|all)$"),
    q: str | None = None,
    source: str | None = None,
) -> HTMLResponse:
    data = await state_of(request).run(
        work.gate,
        state_of(request),
        viewer,
        period,
        kind=kind,
        status=status,
        search=q,
        source=source or None,
    )
    return render(request, "gate.html.j2", data, page="gate", title="Intake gate")


@router.post("/gate/{kind}/{record_id}/release", dependencies=[CsrfDep])
async def release(
    request: Request, kind: str, record_id: str, reason: str = Form(""), viewer: Viewer = ViewerDep
) -> Response:
    done = await state_of(request).run(
        work.release_record,
        state_of(request),
        viewer,
        kind=kind,
        record_id=record_id,
        reason=reason,
    )
    if is_htmx(request):
        return fragment(
            request,
            "_gate_row.html.j2",
            r=done["record"],
            kind=kind,
            can_release=False,
            just_released=True,
        )
    return RedirectResponse(f"/gate?kind={kind}", status_code=303)


@router.get("/exceptions")
async def exceptions(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    status: str | None = Query(None),
) -> HTMLResponse:
    data = await state_of(request).run(
        work.exceptions, state_of(request), viewer, period, status=status or None
    )
    return render(request, "exceptions.html.j2", data, page="exceptions", title="Exceptions")


@router.post("/exceptions", dependencies=[CsrfDep])
async def ask_exception(
    request: Request,
    subject_id: str = Form(...),
    reason_code: str = Form(...),
    rationale: str = Form(""),
    days: int = Form(..., gt=0),
    expected_value: str = Form(""),
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
) -> Response:
    state = state_of(request)
    await state.run(
        work.ask,
        state,
        viewer,
        period,
        subject_kind="opportunity",
        subject_id=subject_id,
        reason_code=reason_code,
        rationale=rationale,
        days=days,
        expected_value=_amount(expected_value),
    )
    if is_htmx(request):
        data = await state.run(work.exceptions, state, viewer, period, status=None)
        return render(request, "exceptions.html.j2", data, page="exceptions", title="Exceptions")
    return RedirectResponse("/exceptions", status_code=303)


def _amount(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        raise InvalidInput(f"expected value {text!r} is not a number", "e.g. 25000") from None


@router.post("/exceptions/{exception_id}/decision", dependencies=[CsrfDep])
async def decision(
    request: Request,
    exception_id: int,
    decision: str = Form(..., pattern="^(approve|reject)$"),
    comment: str = Form(""),
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
) -> Response:
    item = await state_of(request).run(
        work.decide,
        state_of(request),
        viewer,
        period,
        exception_id=exception_id,
        approve=decision == "approve",
        comment=comment,
    )
    if is_htmx(request):
        return fragment(request, "_exception_row.html.j2", e=item)
    return RedirectResponse("/exceptions", status_code=303)


@router.get("/audit")
async def audit(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    action: str | None = None,
    actor: str | None = None,
) -> HTMLResponse:
    state = state_of(request)
    data = await state.run(
        views.audit, state, viewer, period, action=action or None, actor=actor or None
    )
    return render(request, "audit.html.j2", data, page="audit", title="Audit log")


@router.get("/strategy")
async def strategy(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    state = state_of(request)
    data = await state.run(strategy_docs.strategy_page, state, viewer, period)
    return render(request, "strategy.html.j2", data, page="strategy", title="Strategy")


@router.post("/strategy", dependencies=[CsrfDep])
async def upload_strategy(
    request: Request, file: UploadFile = File(...), viewer: Viewer = ViewerDep
) -> Response:
    state, content = state_of(request), await file.read()
    await state.run(
        strategy_docs.upload, state, viewer, content=content, filename=file.filename or ""
    )
    return RedirectResponse("/strategy", status_code=303)


def _analysis(path: str, name: str, title: str) -> None:
    build = getattr(analytics, name)

    async def route(
        request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
    ) -> HTMLResponse:
        data: dict[str, Any] = await state_of(request).run(build, state_of(request), viewer, period)
        return render(request, f"{name}.html.j2", data, page=name, title=title)

    router.add_api_route(path, route, methods=["GET"], name=f"page_{name}")


for _path, _name, _title in (
    ("/alerts", "alerts", "Alerts"),
    ("/authority", "authority", "Authority gaps"),
    ("/shift", "shift", "Shift to approvers"),
    ("/consultative", "consultative", "Consultative selling"),
    ("/effort", "effort", "Effort"),
    ("/icp-value", "icp_value", "ICP value"),
):
    _analysis(_path, _name, _title)


# ------------------------------------------------------------------ lists, matches, territories
RIGHT_LEADS = "right_leads"  # their one NAV entry


@router.get("/lists")
async def lists(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    state = state_of(request)
    data = await state.run(right_leads.lists, state, viewer, period)
    return render(request, "lists.html.j2", data, page=RIGHT_LEADS, title="Named-account lists")


@router.get("/lists/{list_id}")
async def named_list(
    request: Request,
    list_id: str,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    show: str = Query("all", pattern="^(all|white_space|to_review|duplicates)$"),
    offset: int = Query(0, ge=0),
) -> HTMLResponse:
    state = state_of(request)
    data = await state.run(
        right_leads.named_list, state, viewer, period, list_id, show=show, offset=offset
    )
    return render(request, "list.html.j2", data, page=RIGHT_LEADS, title=data["list"]["name"])


@router.get("/matches")
async def matches(
    request: Request,
    viewer: Viewer = ViewerDep,
    period: Period = PeriodDep,
    kind: str | None = Query(None, pattern="^(lead|list_entry|)$"),
    status: str = Query("open", pattern="^(open|resolved|withdrawn|all)$"),
    offset: int = Query(0, ge=0),
) -> HTMLResponse:
    state = state_of(request)
    data = await state.run(
        right_leads.matches, state, viewer, period, kind=kind or None, status=status, offset=offset
    )
    return render(request, "matches.html.j2", data, page=RIGHT_LEADS, title="Match review queue")


@router.post("/matches/{review_id}/resolve", dependencies=[CsrfDep])
async def resolve_match(
    request: Request,
    review_id: int,
    account_id: str = Form(""),
    none: bool = Form(False),
    comment: str = Form(""),
    viewer: Viewer = ViewerDep,
) -> Response:
    state = state_of(request)
    row = await state.run(
        right_leads.resolve,
        state,
        viewer,
        review_id=review_id,
        account_id=right_leads.chosen_account(account_id, none),
        comment=comment,
    )
    if is_htmx(request):
        return fragment(request, "_match_row.html.j2", r=row, just_decided=True)
    return RedirectResponse("/matches", status_code=303)


@router.get("/territories")
async def territories(
    request: Request, viewer: Viewer = ViewerDep, period: Period = PeriodDep
) -> HTMLResponse:
    state = state_of(request)
    data = await state.run(right_leads.territories, state, viewer, period)
    return render(request, "territories.html.j2", data, page=RIGHT_LEADS, title="Territories")
