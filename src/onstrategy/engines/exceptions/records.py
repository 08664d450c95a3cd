"""The exception workflow's records: the subject, the budget check, the exception, the flag."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from onstrategy.engines.fit import AccountFit
from onstrategy.store import tables

X = tables.off_profile_exception
EVENTS = tables.off_profile_exception_event
KINDS = ("lead", "opportunity")
STATUSES = ("pending", "approved", "rejected", "expired")


@dataclass(frozen=True)
class Subject:
    """The lead or opportunity an exception is for, with its fit under a version."""

    kind: str
    id: str
    name: str | None
    owner_id: str | None
    account_id: str | None
    value: float | None
    is_open: bool
    fit: AccountFit | None  # None: no account and no firmographics to judge

    @property
    def in_profile(self) -> bool:
        return bool(self.fit and self.fit.in_profile)

    def why_off(self) -> list[str]:
        if self.fit is None:
            return ["no account is linked, so nothing places it in the ICP"]
        return [r.text for r in self.fit.reasons if not r.met]


@dataclass(frozen=True)
class Budget:
    """The rep's off-profile share of open pipeline if this exception were approved."""

    rep_id: str
    open_pipeline: float
    off_profile: float
    added: float
    limit: float

    @property
    def share_after(self) -> float:
        total = self.open_pipeline + self.added
        return (self.off_profile + self.added) / total if total else 0.0

    @property
    def exceeded(self) -> bool:
        return self.share_after > self.limit + 1e-9

    def describe(self) -> str:
        verb = "above" if self.exceeded else "within"
        return (
            f"off-profile open pipeline would be {self.off_profile + self.added:,.0f} of "
            f"{self.open_pipeline + self.added:,.0f} ({self.share_after:.0%}), {verb} the "
            f"exception budget of {self.limit:.0%}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "open_pipeline": round(self.open_pipeline, 2),
            "off_profile": round(self.off_profile, 2),
            "added": round(self.added, 2),
            "share_after": round(self.share_after, 4),
            "limit": self.limit,
            "exceeded": self.exceeded,
            "text": self.describe(),
        }


@dataclass(frozen=True)
class OffProfileException:
    id: int
    subject_kind: str
    subject_id: str
    rep_id: str
    reason_code: str
    rationale: str
    expected_value: float | None
    requested_days: int
    requested_at: datetime
    strategy_version: str
    needs_escalation: bool
    status: str  # as of the day asked for: an approval past its end reads "expired"
    stored_status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str | None
    starts_on: date | None
    expires_on: date | None  # first day it no longer covers the subject
    renews_id: int | None
    reasons: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Any, as_of: date) -> OffProfileException:
        data = dict(row._mapping if hasattr(row, "_mapping") else row)
        stored = data["status"]
        lapsed = stored == "approved" and data["expires_on"] and as_of >= data["expires_on"]
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**{**fields, "stored_status": stored, "status": "expired" if lapsed else stored})

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Flag:
    """An open off-profile opportunity that no approved, unexpired exception covers."""

    opportunity_id: str
    name: str | None
    account_id: str | None
    account_name: str | None
    owner_id: str | None
    team_id: str | None
    amount: float
    stage: str | None
    created_on: date | None
    fit_tier: str | None
    fit_score: float | None
    why: list[str]
    exception_id: int | None
    exception_status: str | None
    version: str
