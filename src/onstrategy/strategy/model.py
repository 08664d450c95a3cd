"""The strategy file, as pydantic models.

A strategy has versions; the version in force on a date is the latest whose
``effective_from`` has started. Each version says *who* to sell to (``icp``,
``territories``), *what* to sell and to whom (``offerings`` with the buyer personas who
can approve them), and what the leaders expect (``goals``, ``exceptions``, ``costs``,
``consultative`` targets). Every model forbids unknown keys so that a typo is an error,
not a silently ignored setting.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onstrategy.crm.personas import Function, Seniority
from onstrategy.strategy.consultative import ConsultativeTargets

Slug = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)]
Share = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Range(Strict):
    """An inclusive numeric range; either bound may be left out."""

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self

    def contains(self, value: float | None) -> bool:
        if value is None:
            return False
        low_ok = self.min is None or value >= self.min
        return low_ok and (self.max is None or value <= self.max)

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min:,.0f}–{self.max:,.0f}"
        if self.min is not None:
            return f"≥ {self.min:,.0f}"
        return f"≤ {self.max:,.0f}" if self.max is not None else "any"


# --------------------------------------------------------------------------- who


class Segment(Strict):
    """One description of an ideal client. Only the criteria given count for the segment."""

    name: str
    industries: list[str] = Field(default_factory=list, description="CRM industry values")
    employees: Range | None = None
    annual_revenue: Range | None = None
    countries: list[str] = Field(default_factory=list, description="ISO 3166 alpha-2 codes")
    states: list[str] = Field(default_factory=list, description="state/province codes, e.g. CA")
    named_lists: list[Slug] = Field(default_factory=list, description="named-account lists")

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        from onstrategy.crm.geo import normalize_country

        out = []
        for value in values:
            code = normalize_country(value)
            if code is None:
                raise ValueError(f"unknown country {value!r}; use an ISO code such as US or DE")
            out.append(code)
        return out

    @field_validator("states")
    @classmethod
    def _states(cls, values: list[str]) -> list[str]:
        return [v.upper() for v in values]

    def criteria(self) -> list[str]:
        given = {
            "industry": bool(self.industries),
            "employees": self.employees is not None,
            "annual_revenue": self.annual_revenue is not None,
            "geography": bool(self.countries or self.states),
            "named_list": bool(self.named_lists),
        }
        return [name for name, present in given.items() if present]

    @model_validator(mode="after")
    def _not_empty(self) -> Segment:
        if not self.criteria():
            raise ValueError("a segment needs at least one criterion (industries, employees, ...)")
        return self


class Weights(Strict):
    """Points each criterion is worth; a segment's score is the share of its points met."""

    industry: float = Field(default=30, ge=0)
    employees: float = Field(default=25, ge=0)
    annual_revenue: float = Field(default=15, ge=0)
    geography: float = Field(default=10, ge=0)
    named_list: float = Field(default=20, ge=0)

    def of(self, criterion: str) -> float:
        value: float = getattr(self, criterion)
        return value


class Tiers(Strict):
    """Minimum fit score (0-100) for each tier; below ``C`` an account is tier ``D``."""

    A: float = Field(default=85, ge=0, le=100)
    B: float = Field(default=65, ge=0, le=100)
    C: float = Field(default=40, ge=0, le=100)

    @model_validator(mode="after")
    def _descending(self) -> Tiers:
        if not self.A >= self.B >= self.C:
            raise ValueError("tier thresholds must descend: A >= B >= C")
        return self

    def tier_of(self, score: float) -> str:
        for name in ("A", "B", "C"):
            if score >= getattr(self, name):
                return name
        return "D"


class ICP(Strict):
    """The ideal client profile: an account is *in profile* when its tier is in ``in_profile``."""

    segments: list[Segment] = Field(min_length=1)
    weights: Weights = Field(default_factory=Weights)
    tiers: Tiers = Field(default_factory=Tiers)
    in_profile: list[Literal["A", "B", "C"]] = Field(default=["A", "B"])


# --------------------------------------------------------------------------- goals


class Goals(Strict):
    """What leaders expect of the field, as shares between 0 and 1."""

    icp_share_of_leads: Share | None = None
    icp_share_of_pipeline: Share = 0.6
    icp_share_of_bookings: Share = 0.6
    icp_share_of_hours: Share | None = None
    exception_budget: Share = Field(
        default=0.2, description="max share of a rep's open pipeline that may be off-profile"
    )
    off_strategy_hours_max: Share = Field(
        default=0.3, description="alert when a rep spends more than this share of hours off-ICP"
    )


# --------------------------------------------------------------------------- what


class Persona(Strict):
    """Buyers by seniority and function; an empty list means any."""

    seniority: list[Seniority] = Field(default_factory=list)
    function: list[Function] = Field(default_factory=list)

    def matches(self, seniority: str | None, function: str | None) -> bool:
        ok_seniority = not self.seniority or seniority in self.seniority
        return ok_seniority and (not self.function or function in self.function)

    def describe(self) -> str:
        who = "/".join(self.seniority) or "any level"
        what = "/".join(self.function) or "any function"
        return f"{who} in {what}"


class Offering(Strict):
    id: Slug
    name: str
    products: list[str] = Field(default_factory=list, description="product codes or families")
    approvers: list[Persona] = Field(min_length=1, description="personas who can approve it")
    non_approvers: list[Persona] = Field(
        default_factory=list, description="personas who cannot, even if an approver rule matches"
    )

    def can_approve(self, seniority: str | None, function: str | None) -> bool:
        if any(p.matches(seniority, function) for p in self.non_approvers):
            return False
        return any(p.matches(seniority, function) for p in self.approvers)


# --------------------------------------------------------------------------- where


class TerritoryRules(Strict):
    countries: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list)
    postal_prefixes: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    employees: Range | None = None
    named_lists: list[Slug] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list, description="named account ids")

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        return Segment._countries(values)  # type: ignore[operator]

    @field_validator("states")
    @classmethod
    def _states(cls, values: list[str]) -> list[str]:
        return [v.upper() for v in values]


class Coverage(Strict):
    """A rep covering a territory: ``capacity`` is the most open accounts they should carry."""

    rep: str = Field(description="rep id or email")
    capacity: int = Field(default=250, ge=0)
    weight: float = Field(default=1.0, gt=0, description="share of round-robin leads")


class Territory(Strict):
    id: Slug
    name: str
    priority: int = Field(default=100, description="lower wins when two rule territories match")
    rules: TerritoryRules
    reps: list[Coverage] = Field(min_length=1)


class Team(Strict):
    id: Slug
    name: str
    manager: str | None = Field(default=None, description="manager's rep id or email")


class Rep(Strict):
    id: Slug
    name: str
    email: str | None = None
    team: str | None = None
    role: Literal["rep", "manager", "executive", "admin"] = "rep"


# --------------------------------------------------------------------------- how


class ReasonCode(Strict):
    code: Slug
    label: str


class ExceptionPolicy(Strict):
    reason_codes: list[ReasonCode] = Field(
        default_factory=lambda: [
            ReasonCode(code="strategic-logo", label="Strategic logo or reference"),
            ReasonCode(code="expansion-path", label="Likely to grow into the ICP"),
            ReasonCode(code="quick-win", label="Low effort, high certainty"),
            ReasonCode(code="partner-sourced", label="Brought by a partner"),
        ]
    )
    min_rationale_words: int = Field(default=8, ge=1)
    max_days: int = Field(default=90, ge=1)
    escalate_to: Literal["executive", "admin"] = "executive"


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class Costs(Strict):
    loaded_hourly_cost: float = Field(default=120.0, ge=0, description="per rep hour")
    currency: str = Field(
        default="USD",
        description="currency of loaded_hourly_cost (ISO 4217); default: the strategy's currency",
        json_schema_extra=_no_default,  # the strategy's currency, not USD
    )
    meeting_hours_default: float = Field(default=0.5, ge=0)
    call_hours_default: float = Field(default=0.25, ge=0)


class Routing(Strict):
    nurture_queue: str = "nurture"
    fallback_queue: str = Field(
        default="unrouted",
        description="queue for leads no territory covers, or whose territory has no rep free",
    )
    catch_up_cap: int = Field(
        default=3,
        ge=0,
        description="max leads a returning rep receives above the territory's average share",
    )
    open_lead_days: int = Field(
        default=30,
        ge=1,
        description="an open lead counts toward its owner's load (against capacity) for this "
        "many days after it was created; older open leads are stale",
    )


class Version(Strict):
    id: Slug
    effective_from: date
    description: str = ""
    icp: ICP
    goals: Goals = Field(default_factory=Goals)
    offerings: list[Offering] = Field(default_factory=list)
    territories: list[Territory] = Field(default_factory=list)
    exceptions: ExceptionPolicy = Field(default_factory=ExceptionPolicy)
    costs: Costs = Field(default_factory=Costs)
    routing: Routing = Field(default_factory=Routing)
    consultative: ConsultativeTargets = Field(
        default_factory=ConsultativeTargets,
        description="consultative-selling targets for recorded calls; unset keys keep the "
        "built-in defaults (see engines.conversation)",
    )

    def offering_for_product(self, product: str | None) -> Offering | None:
        if not product:
            return None
        wanted = product.strip().lower()
        for offering in self.offerings:
            codes = [p.lower() for p in offering.products]
            if wanted in codes or wanted == offering.id.lower():
                return offering
        return None


class Strategy(Strict):
    name: str
    currency: str = Field(
        default="USD", description="ISO 4217 code of deal and CRM amounts (and of costs by default)"
    )
    teams: list[Team] = Field(default_factory=list)
    reps: list[Rep] = Field(default_factory=list)
    versions: list[Version] = Field(min_length=1)

    @model_validator(mode="after")
    def _costs_in_strategy_currency(self) -> Strategy:
        """A version's ``costs.currency`` left out is the strategy's ``currency``, not USD."""
        versions = [_costs_in(v, self.currency) for v in self.versions]
        object.__setattr__(self, "versions", versions)  # frozen: set once, while validating
        return self

    def version_on(self, day: date) -> Version:
        """The version in force on ``day``: the latest that has started."""
        started = [v for v in self.versions if v.effective_from <= day]
        if not started:
            from onstrategy.errors import InvalidInput

            first = min(self.versions, key=lambda v: v.effective_from)
            raise InvalidInput(
                f"no strategy version is in force on {day.isoformat()}",
                f"the first version ({first.id}) starts on {first.effective_from.isoformat()}",
            )
        return max(started, key=lambda v: v.effective_from)

    def version(self, version_id: str) -> Version:
        for candidate in self.versions:
            if candidate.id == version_id:
                return candidate
        from onstrategy.errors import NotFound

        known = ", ".join(v.id for v in self.versions)
        raise NotFound(f"no strategy version {version_id!r}", f"known versions: {known}")

    def next_version_after(self, version: Version) -> Version | None:
        later = [v for v in self.versions if v.effective_from > version.effective_from]
        return min(later, key=lambda v: v.effective_from) if later else None


def _costs_in(version: Version, currency: str) -> Version:
    """``version`` with its costs in ``currency`` unless the file gives their currency."""
    if "currency" in version.costs.model_fields_set:
        return version
    costs = version.costs.model_copy(update={"currency": currency})
    return version.model_copy(update={"costs": costs})
