"""Buying authority: has the rep reached someone who can say yes to what the deal sells?

Each offering in the strategy names the buyer personas (seniority × function) who can
approve it, and may name personas who cannot. For every deal this engine finds the
contacts the rep has **engaged** and whether any of them can approve the deal's offering.

A contact is *engaged* in a deal, as of a date, when any of these holds:

* a call, meeting or email with the contact is linked to the deal (``activity.opportunity_id``)
  and took place on or before the end of the deal's window;
* a call, meeting or email with the contact, logged by the deal's owner on the deal's account
  without being linked to any deal, within the deal's lifetime (from ``created_on`` to
  ``closed_on`` or the as-of date);
* the contact has a contact role on the deal (``opportunity_contact``), whatever the role
  (roles carry no date in CRM exports, so they count at any as-of date).

A deal is open on a day as ``engines.definitions.open_on`` says, like in every report.
A deal has an **authority gap** when it sells an offering and no engaged contact can approve
that offering (``Offering.can_approve``: non-approver personas override approvers). A contact
is *at the required level* when their seniority is one the offering's approvers name, in any
function: a VP of Finance is at the required level for a service only a VP of IT can approve.
Multi-threading is the number of distinct engaged contacts.

The counting and joining are Ibis expressions (``engagement_table``), so they run on SQLite
and PostgreSQL alike; the persona rules come from the strategy model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from onstrategy.engines.definitions import open_on
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Offering, Strategy, Version

ENGAGING_KINDS = ("call", "meeting", "email")
NO_OFFERING = "(no offering)"
BREAKDOWN = ("open", "gapped", "single_threaded", "open_amount", "gapped_amount")


@dataclass(frozen=True)
class EngagedContact:
    contact_id: str
    name: str
    title: str | None
    seniority: str | None
    function: str | None
    can_approve: bool
    at_required_level: bool
    calls: int
    meetings: int
    emails: int
    role: str | None
    last_on: date | None

    @property
    def persona(self) -> str:
        return f"{self.seniority or '?'}/{self.function or '?'}"

    def label(self) -> str:
        return f"{self.title or self.name} ({self.persona})"


@dataclass(frozen=True)
class DealAuthority:
    opportunity_id: str
    name: str | None
    account_id: str | None
    account_name: str | None
    owner_id: str | None
    owner_name: str | None
    team_id: str | None
    amount: float
    stage: str | None
    product: str | None
    created_on: date | None
    is_closed: bool
    version: str
    offering_id: str | None
    offering_name: str | None
    required: tuple[str, ...]
    contacts: tuple[EngagedContact, ...]
    authority_gap: bool | None  # None: the product belongs to no offering
    reasons: tuple[str, ...] = field(default=())

    @property
    def engaged(self) -> int:
        return len(self.contacts)

    @property
    def approvers(self) -> int:
        return sum(c.can_approve for c in self.contacts)

    @property
    def at_required_level(self) -> int:
        return sum(c.at_required_level for c in self.contacts)

    def as_dict(self) -> dict[str, Any]:
        plain = ("opportunity_id", "name", "account_id", "account_name", "owner_id",
                 "owner_name", "team_id", "amount", "stage", "product", "created_on",
                 "is_closed", "version")  # fmt: skip
        return {name: getattr(self, name) for name in plain} | {
            "offering": self.offering_id,
            "offering_name": self.offering_name,
            "approved_by": list(self.required),
            "authority_gap": self.authority_gap,
            "engaged_contacts": self.engaged,
            "approvers": self.approvers,
            "at_required_level": self.at_required_level,
            "contacts": [dict(vars(c)) for c in self.contacts],  # every field
            "reasons": list(self.reasons),
        }


# ------------------------------------------------------------------ portable expressions


def deals_table(*, store: Store, as_of: date, open_only: bool = True) -> ir.Table:
    """Deals with owner, team and account names and the end of their window (``window_end``)."""
    opp = store.table("opportunity")
    day = ibis.literal(as_of, "date")
    opp = opp.filter(opp.created_on.isnull() | (opp.created_on <= day))
    opp = opp.mutate(open_now=open_on(opp, day))
    opp = opp.filter(opp.open_now) if open_only else opp
    opp = opp.mutate(window_end=opp.open_now.ifelse(day, opp.closed_on.fill_null(day)))
    users = store.table("user_account").select(uid="id", owner_name="name", team_id="team_id")
    accounts = store.table("account").select(aid="id", account_name="name")
    joined = opp.left_join(users, opp.owner_id == users.uid)
    joined = joined.left_join(accounts, joined.account_id == accounts.aid)
    return joined.drop("uid", "aid")


def engagement_table(*, store: Store, deals: ir.Table) -> ir.Table:
    """One row per (deal, engaged contact): counts of calls, meetings and emails, role, last day."""
    act = store.table("activity")
    act = act.filter(act.kind.isin(ENGAGING_KINDS), act.contact_id.notnull())
    deal = deals.select(
        oid="id", oacc="account_id", oowner="owner_id", ostart="created_on", oend="window_end"
    )
    linked = act.join(deal, act.opportunity_id == deal.oid)
    linked = linked.filter(linked.occurred_on <= linked.oend)
    loose = act.filter(act.opportunity_id.isnull())
    loose = loose.join(deal, [loose.account_id == deal.oacc, loose.owner_id == deal.oowner])
    loose = loose.filter(
        loose.occurred_on <= loose.oend, loose.ostart.isnull() | (loose.occurred_on >= loose.ostart)
    )
    roles_src = store.table("opportunity_contact")
    roles = roles_src.join(deal, roles_src.opportunity_id == deal.oid)
    facts = ibis.union(
        _touches(linked),
        _touches(loose),
        roles.select(
            oid=roles.oid.cast("string"),
            contact_id=roles.contact_id.cast("string"),
            kind=ibis.literal("role").cast("string"),
            occurred_on=ibis.null().cast("date"),
            role=roles.role.cast("string"),
        ),
    )
    return _per_contact(store, facts)


def _touches(table: ir.Table) -> ir.Table:
    return table.select(
        oid=table.oid.cast("string"),
        contact_id=table.contact_id.cast("string"),
        kind=table.kind.cast("string"),
        occurred_on=table.occurred_on,
        role=ibis.null().cast("string"),
    )


def _count(condition: ir.BooleanValue) -> ir.IntegerScalar:
    return condition.ifelse(1, 0).sum()


def _per_contact(store: Store, facts: ir.Table) -> ir.Table:
    grouped = facts.group_by(["oid", "contact_id"]).aggregate(
        calls=_count(facts.kind == "call"),
        meetings=_count(facts.kind == "meeting"),
        emails=_count(facts.kind == "email"),
        role=facts.role.max(),
        last_on=facts.occurred_on.max(),
    )
    contact = store.table("contact").select(
        cid="id",
        first_name="first_name",
        last_name="last_name",
        title="title",
        seniority="seniority",
        function="function",
    )
    joined = grouped.left_join(contact, grouped.contact_id == contact.cid)
    return joined.drop("cid")


# ------------------------------------------------------------------ persona logic


def required_personas(offering: Offering) -> tuple[str, ...]:
    return tuple(p.describe() for p in offering.approvers)


def previous_version(strategy: Strategy, version: Version) -> Version | None:
    """The version in force just before ``version`` started, if any."""
    earlier = [v for v in strategy.versions if v.effective_from < version.effective_from]
    return max(earlier, key=lambda v: v.effective_from) if earlier else None


def offering_id(product: str | None, *versions: Version | None) -> str:
    """The id of the first of ``versions`` offering ``product``; "(no offering)" if none."""
    for candidate in versions:
        offering = candidate.offering_for_product(product) if candidate else None
        if offering is not None:
            return offering.id
    return NO_OFFERING


def new_offerings(version: Version, previous: Version | None) -> list[Offering]:
    """Offerings in ``version`` that ``previous`` did not have (all of them if none are new)."""
    before = {o.id for o in previous.offerings} if previous else set()
    fresh = [o for o in version.offerings if o.id not in before]
    return fresh or list(version.offerings)


def classify(offerings: list[Offering], seniority: str | None, function: str | None) -> str:
    """``approver`` of a new offering, ``non_approver`` of all of them, or ``unknown``."""
    if seniority is None or function is None:
        return "unknown"
    if any(o.can_approve(seniority, function) for o in offerings):
        return "approver"
    return "non_approver"


def _required_level(offering: Offering, seniority: str | None) -> bool:
    levels = {s for p in offering.approvers for s in p.seniority}
    return seniority is not None and (not levels or seniority in levels)


def _contact(row: dict[str, Any], offering: Offering | None) -> EngagedContact:
    name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    seniority, function = row.get("seniority"), row.get("function")
    return EngagedContact(
        contact_id=str(row["contact_id"]),
        name=name or str(row["contact_id"]),
        title=row.get("title"),
        seniority=seniority,
        function=function,
        can_approve=bool(offering and offering.can_approve(seniority, function)),
        at_required_level=bool(offering and _required_level(offering, seniority)),
        calls=int(row["calls"] or 0),
        meetings=int(row["meetings"] or 0),
        emails=int(row["emails"] or 0),
        role=row.get("role"),
        last_on=row.get("last_on"),
    )


def _blocked_by(offering: Offering, contact: EngagedContact) -> str | None:
    for persona in offering.non_approvers:
        if persona.matches(contact.seniority, contact.function):
            return persona.describe()
    return None


def _reasons(
    offering: Offering | None,
    product: str | None,
    contacts: tuple[EngagedContact, ...],
    version: Version,
) -> tuple[str, ...]:
    if offering is None:
        return (
            f"product {product or '(none)'} belongs to no offering in {version.id}; "
            "no approver rule applies",
        )
    needs = " or ".join(required_personas(offering))
    if not contacts:
        return (f"no contact engaged — {offering.id} needs {needs}",)
    listed = ", ".join(c.label() for c in contacts)
    approvers = [c for c in contacts if c.can_approve]
    plural = "s" if len(contacts) != 1 else ""
    out = [f"engaged {len(contacts)} contact{plural}: {listed}"]
    if approvers:
        out.append(f"{', '.join(c.label() for c in approvers)} can approve {offering.id}")
    else:
        out[0] += f" — {offering.id} needs {needs}"
    for contact in contacts:
        blocked = _blocked_by(offering, contact)
        if blocked:
            out.append(f"{contact.label()} cannot approve {offering.id} ({blocked} never can)")
    return tuple(out)


def _deal(row: dict[str, Any], rows: list[dict[str, Any]], version: Version) -> DealAuthority:
    offering = version.offering_for_product(row.get("product"))
    contacts = tuple(
        sorted(
            (_contact(r, offering) for r in rows),
            key=lambda c: (not c.can_approve, -c.meetings, -c.calls, -c.emails, c.name),
        )
    )
    gap = None if offering is None else not any(c.can_approve for c in contacts)
    return DealAuthority(
        opportunity_id=str(row["id"]),
        name=row.get("name"),
        account_id=row.get("account_id"),
        account_name=row.get("account_name"),
        owner_id=row.get("owner_id"),
        owner_name=row.get("owner_name"),
        team_id=row.get("team_id"),
        amount=float(row.get("amount") or 0.0),
        stage=row.get("stage"),
        product=row.get("product"),
        created_on=row.get("created_on"),
        is_closed=not bool(row.get("open_now")),
        version=version.id,
        offering_id=offering.id if offering else None,
        offering_name=offering.name if offering else None,
        required=required_personas(offering) if offering else (),
        contacts=contacts,
        authority_gap=gap,
        reasons=_reasons(offering, row.get("product"), contacts, version),
    )


# ------------------------------------------------------------------ entry points


@dataclass(frozen=True)
class EngagedDeals:
    """Deals and their engaged contacts, read once; ``judge`` applies a version's offerings
    (so comparing two versions costs one query, not two)."""

    rows: list[dict[str, Any]]
    engaged: dict[str, list[dict[str, Any]]]

    def judge(self, version: Version) -> list[DealAuthority]:
        """Every deal's authority under ``version``, largest first."""
        out = [_deal(r, self.engaged.get(str(r["id"]), []), version) for r in self.rows]
        return sorted(out, key=lambda d: (-d.amount, d.opportunity_id))


def engaged_deals(
    *,
    store: Store,
    as_of: date,
    opportunity_ids: Iterable[str] | None = None,
    open_only: bool = True,
) -> EngagedDeals:
    """Deals open on ``as_of`` (or the ones named) with the contacts engaged in each."""
    deals = deals_table(store=store, as_of=as_of, open_only=open_only)
    if opportunity_ids is not None:
        deals = deals.filter(deals.id.isin(list(opportunity_ids)))
    by_deal: dict[str, list[dict[str, Any]]] = {}
    for row in engagement_table(store=store, deals=deals).to_pyarrow().to_pylist():
        by_deal.setdefault(str(row["oid"]), []).append(row)
    return EngagedDeals(deals.to_pyarrow().to_pylist(), by_deal)


def deal_authority(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    version: Version | None = None,
    opportunity_ids: Iterable[str] | None = None,
    open_only: bool = True,
) -> list[DealAuthority]:
    """Authority of every deal open on ``as_of`` (or the ones named), judged by ``version``
    (default: the version in force on ``as_of``), largest first."""
    found = engaged_deals(
        store=store, as_of=as_of, opportunity_ids=opportunity_ids, open_only=open_only
    )
    return found.judge(version or strategy.version_on(as_of))


def explain_deal(
    *, store: Store, strategy: Strategy, opportunity_id: str, as_of: date
) -> DealAuthority:
    """One deal (open or closed) with its engaged contacts and whether anyone can approve."""
    found = engaged_deals(
        store=store, as_of=as_of, opportunity_ids=[opportunity_id], open_only=False
    ).judge(strategy.version_on(as_of))
    if not found:
        raise NotFound(
            f"no opportunity {opportunity_id!r} created on or before {as_of}",
            "list open deals with: onstrategy deals gaps",
        )
    return found[0]


@dataclass(frozen=True)
class GapReport:
    as_of: date
    version: str
    deals: list[DealAuthority]  # open deals in scope, largest first
    scope: dict[str, str | None]

    @property
    def gapped(self) -> list[DealAuthority]:
        return [d for d in self.deals if d.authority_gap]

    def by_offering(self) -> dict[str, dict[str, float]]:
        return self.breakdown(lambda d: d.offering_id or NO_OFFERING)

    def by_rep(self) -> list[dict[str, Any]]:
        """Per owner (id and name); kept out of ``as_dict`` so scoped views add it knowingly."""
        names = {d.owner_id: d.owner_name for d in self.deals}
        cells = self.breakdown(lambda d: d.owner_id or "")
        return [
            {"owner_id": k or None, "owner_name": names.get(k or None), **v}
            for k, v in sorted(cells.items(), key=lambda kv: names.get(kv[0]) or kv[0])
        ]

    def breakdown(self, key: Callable[[DealAuthority], str]) -> dict[str, dict[str, float]]:
        """Open and gapped deals (count and amount) and single-threaded deals, per key."""
        out: dict[str, dict[str, float]] = {}
        for deal in self.deals:
            cell = out.setdefault(key(deal), dict.fromkeys(BREAKDOWN, 0))
            cell["single_threaded"] += deal.engaged <= 1
            cell["open"] += 1
            cell["open_amount"] += deal.amount
            if deal.authority_gap:
                cell["gapped"] += 1
                cell["gapped_amount"] += deal.amount
        return out

    def as_dict(self) -> dict[str, Any]:
        gapped = self.gapped
        return {
            "as_of": self.as_of,
            "version": self.version,
            "scope": self.scope,
            "open_deals": len(self.deals),
            "gapped_deals": len(gapped),
            "gapped_amount": round(sum(d.amount for d in gapped), 2),
            "by_offering": self.by_offering(),
            "deals": [d.as_dict() for d in gapped],
        }


def authority_gaps(
    *,
    store: Store,
    strategy: Strategy,
    as_of: date,
    rep: str | None = None,
    team: str | None = None,
) -> GapReport:
    """Open deals on ``as_of`` (of one rep or team if given); ``gapped`` lists those with a gap."""
    owner = resolve_user(store=store, who=rep) if rep else None
    if team:
        _check_team(store, team)
    deals = [
        d
        for d in deal_authority(store=store, strategy=strategy, as_of=as_of)
        if (owner is None or d.owner_id == owner) and (team is None or d.team_id == team)
    ]
    scope = {"rep": owner, "team": team}
    return GapReport(as_of, strategy.version_on(as_of).id, deals, scope)


def resolve_user(*, store: Store, who: str) -> str:
    """A user id from an id, an email or an exact name."""
    users = store.table("user_account")
    wanted = who.strip().lower()
    hits = (
        users.filter(
            (users.id == who.strip())
            | (users.email.lower() == wanted)
            | (users.name.lower() == wanted)
        )
        .select("id", "email", "name")
        .to_pyarrow()
        .to_pylist()
    )
    if not hits:
        raise NotFound(f"no user {who!r}", "give a user id, email or full name from users.csv")
    exact = [h for h in hits if h["id"] == who.strip() or (h["email"] or "").lower() == wanted]
    if not exact and len(hits) > 1:  # a name several users share: never guess
        ids = ", ".join(sorted(str(h["id"]) for h in hits))
        raise InvalidInput(f"{len(hits)} users are called {who!r} ({ids})", "give the id or email")
    return str((exact or hits)[0]["id"])


def _check_team(store: Store, team: str) -> None:
    teams = store.table("team")
    if not teams.filter(teams.id == team).count().to_pyarrow().as_py():
        known = ", ".join(r["id"] for r in teams.select("id").to_pyarrow().to_pylist())
        raise NotFound(f"no team {team!r}", f"known teams: {known}")
