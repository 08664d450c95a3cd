"""Typed shapes of the JSON API (documented in ``/openapi.json``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class ProblemModel(BaseModel):
    where: str
    message: str
    hint: str = ""


class ErrorBody(BaseModel):
    code: str = Field(
        description="machine-readable: invalid_input, not_found, forbidden, "
        "conflict, unauthenticated, no_strategy, internal …"
    )
    message: str
    hint: str = ""
    problems: list[ProblemModel] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """The one error shape of every JSON route."""

    error: ErrorBody


class ScopeModel(BaseModel):
    description: str
    teams: list[str] | None = Field(description="team ids visible; null: all")
    reps: list[str] | None = Field(description="rep ids visible; null: all")


class ViewerModel(BaseModel):
    id: str
    name: str
    email: str | None
    role: str
    team_id: str | None
    scope: ScopeModel


class SessionModel(BaseModel):
    viewer: ViewerModel
    csrf_token: str = Field(description="send as X-CSRF-Token on every POST")


class ReleaseRequest(BaseModel):
    reason: str = Field(description="why the record is let in (a few words; audit-logged)")


class ReleaseResult(BaseModel):
    kind: str
    id: str
    gate_status: str
    gate_reasons: dict[str, Any]
    record: dict[str, Any]


class ExceptionRequest(BaseModel):
    subject_kind: str = Field("opportunity", pattern="^(opportunity|lead)$")
    subject_id: str
    reason_code: str = Field(description="one of the strategy version's reason codes")
    rationale: str = Field(description="why, in your own words (the policy sets a minimum)")
    days: int = Field(gt=0, description="how long the exception is needed")
    expected_value: float | None = Field(None, description="default: the deal's amount")


class DecisionRequest(BaseModel):
    decision: str = Field(pattern="^(approve|reject)$")
    comment: str


class ExceptionModel(BaseModel):
    id: int
    subject_kind: str
    subject_id: str
    rep_id: str
    rep_name: str | None = None
    reason_code: str
    rationale: str
    status: str
    decided_by: str | None
    decision_comment: str | None
    strategy_version: str
    needs_escalation: bool
    model_config = {"extra": "allow"}


class VersionRef(BaseModel):
    id: str
    effective_from: str


class StrategyRef(BaseModel):
    name: str | None
    versions: list[VersionRef]


class Preset(BaseModel):
    label: str
    from_: str = Field(alias="from")
    to: str


class PageModel(BaseModel):
    """What every page's JSON twin has; each page adds its own read model (see its route)."""

    viewer: ViewerModel
    query: dict[str, str] = Field(description="the period and version the page was built for")
    presets: list[Preset]
    strategy: StrategyRef
    currency: str | None = Field(
        description="ISO 4217 code of the page's deal and CRM amounts: the strategy's "
        "`currency` (effort costs say their own, `report.currency`); null only on the "
        "strategy page while no strategy is loaded",
        examples=["USD"],
    )
    model_config = {"extra": "allow"}


class UploadResult(BaseModel):
    id: int
    sha256: str
    versions: list[str]
    in_use: bool = Field(description="false when the server reads a configured strategy file")


class DashboardModel(PageModel):
    report: dict[str, Any] = Field(
        description="the alignment report cut to your scope: "
        "company (or your scope), teams, reps, account_fit"
    )
    results: dict[str, Any] = Field(
        description="win rate, deal size, discount and cycle of "
        "ICP vs off-ICP deals closed in the period, by rep and team"
    )
    charts: dict[str, dict[str, Any]] = Field(description="Vega-Lite specs by name")


# ------------------------------------------------------------------ lists, matches, territories


class NamedListModel(BaseModel):
    id: str = Field(description="the list's short name, e.g. fortune-1000")
    name: str
    filename: str | None
    imported_at: datetime | None
    entries: int
    matched: int = Field(description="entries matched to a CRM account")
    to_review: int = Field(description="entries whose match waits in the review queue")
    white_space: int = Field(description="entries with no account in the CRM yet")


class ListsModel(PageModel):
    lists: list[NamedListModel]
    can_review: bool = Field(description="whether you work the match review queue")


class ListEntryModel(BaseModel):
    id: int
    list_id: str
    name: str | None
    website: str | None
    domain: str | None
    city: str | None
    state: str | None
    country: str | None
    extra: dict[str, Any] | None = Field(description="the file's other columns (Rank...)")
    account_id: str | None
    account_name: str | None
    account_owner: str | None
    account_owner_name: str | None
    account_link: bool = Field(description="whether you may open the account (your scope)")
    match_status: str | None = Field(description="matched, ambiguous, none or manual")
    match_score: float | None
    match_reasons: list[str] | None
    review_id: int | None = Field(description="its open match review, if any")
    leads_without_account: int = Field(description="leads with no account matched to it")


class NamedListSummary(NamedListModel):
    accounts_on_several_entries: int


class ListModel(PageModel):
    list_: NamedListSummary = Field(alias="list")
    show: str = Field(description="all, white_space, to_review or duplicates")
    shows: list[str]
    total: int = Field(description="entries the filter keeps (all pages)")
    offset: int
    page_size: int
    entries: list[ListEntryModel]
    can_review: bool


class CandidateModel(BaseModel):
    account_id: str
    name: str | None
    score: float
    reasons: list[str]
    account: dict[str, Any] = Field(description="the account's domain, place and owner")
    account_link: bool


class ReviewModel(BaseModel):
    id: int
    subject_kind: str = Field(description="lead or list_entry")
    subject_id: str
    subject: dict[str, Any] = Field(description="the lead or list entry to match")
    status: str = Field(description="open, resolved or withdrawn")
    score: float | None = None
    reasons: list[str] | None = None
    candidates: list[CandidateModel]
    chosen_account_id: str | None
    chosen_account_name: str | None = None
    chosen_account_link: bool = False
    decided_by: str | None
    decided_by_name: str | None = None
    decided_at: datetime | None
    comment: str | None = None


class MatchesModel(PageModel):
    kind: str | None = Field(description="lead, list_entry, or null for both")
    status: str
    statuses: list[str]
    total: int
    offset: int
    page_size: int
    reviews: list[ReviewModel]
    can_review: bool


class ResolveRequest(BaseModel):
    account_id: str | None = Field(None, description="the account it is (a candidate's id)")
    none: bool = Field(False, description="true: it is none of the accounts (a new company)")
    comment: str = Field("", description="why (kept with the decision)")


class RepLoadModel(BaseModel):
    rep_id: str
    name: str | None
    territories: list[str]
    accounts: int
    icp_accounts: int
    open_leads: int
    open_pipeline: float
    open_opportunities: int
    load: int = Field(description="accounts + open leads, as routing counts it")
    capacity: int | None
    utilisation: float | None
    over_capacity: bool


class TerritoriesModel(PageModel):
    as_of: date
    version: str
    accounts: int | None = Field(description="active accounts (null: not in your scope)")
    icp_accounts: int | None
    coverage: dict[str, dict[str, int]] = Field(description="territory -> accounts, ICP")
    uncovered_icp_accounts: list[dict[str, Any]]
    double_claims: list[dict[str, Any]] = Field(
        description="accounts two territories claim at the same level; "
        "also_claimed_by names each loser and the tie-break it lost on"
    )
    loads: list[RepLoadModel]
    problems: int
    territories: list[dict[str, Any]] = Field(description="in precedence order, rules in words")
    precedence: str
    unrouted: dict[str, Any] | None = Field(description="leads waiting to be routed (admins)")
    charts: dict[str, dict[str, Any]] = Field(description="Vega-Lite specs by name")
    can_review: bool


class StepModel(BaseModel):
    rule: str
    fired: bool
    reason: str
    details: dict[str, Any]


class RoutingDecisionModel(BaseModel):
    id: int | None
    lead_id: str
    decided_at: datetime
    as_of: date
    strategy_version: str
    outcome: str = Field(description="rep or queue")
    assigned_to: str
    assigned_name: str | None
    territory_id: str | None
    steps: list[StepModel] = Field(description="every rule in order, fired or not, and why")
    dry_run: bool


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "not signed in"),
        (403, "outside your scope, or no CSRF token"),
        (404, "no such record"),
        (422, "invalid input"),
    )
}
