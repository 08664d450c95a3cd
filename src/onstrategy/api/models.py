"""Typed shapes of the JSON API (documented in ``/openapi.json``)."""

from __future__ import annotations

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


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "not signed in"),
        (403, "outside your scope, or no CSRF token"),
        (404, "no such record"),
        (422, "invalid input"),
    )
}
