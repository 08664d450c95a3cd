"""The RevOps admin's right-leads pages: named-account lists, the match review queue and
territories (routing a lead from its page is :mod:`onstrategy.api.routing`).

Read models for each page and its JSON twin, and the review decision. Each calls the core
function its CLI command calls (``lists list|show|duplicates``, ``matches review|resolve``,
``territories check``), so the numbers are the CLI's. The viewer's scope
is applied here (a rep sees their own book, a manager their teams'); who may act is the
cores' rule, the CLI's too (reviewers are managers, executives and admins; a manager decides
their teams' leads, :mod:`onstrategy.engines.lead_team`), and the cores write the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from onstrategy.api import books
from onstrategy.api.params import Period
from onstrategy.api.views import PAGE_SIZE, page_frame
from onstrategy.crm.lists import list_duplicates, list_entries, list_lists
from onstrategy.crm.match_reviews import REVIEWERS, STATUSES, resolve_review, review_queue
from onstrategy.engines.routing import unassigned_lead_ids
from onstrategy.engines.territories import PRECEDENCE_HELP
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.reports.charts import BAD, GOOD, SCHEMA
from onstrategy.reports.territories import territories_check, territories_list
from onstrategy.web.scope import Viewer
from onstrategy.web.state import WebState

Row = dict[str, Any]
LIST_SHOWS = ("all", "white_space", "to_review", "duplicates")
REVIEW_STATUSES = STATUSES
UNROUTED_SHOWN = 25


def _rows(expr: Any) -> list[Row]:
    return list(expr.to_pyarrow().to_pylist())


def _frame(state: WebState, viewer: Viewer, period: Period) -> Row:
    """The page frame, and whether the viewer works the review queue (for the tabs)."""
    return {**page_frame(state, viewer, period), "can_review": viewer.role in REVIEWERS}


def _names(state: WebState) -> dict[str, str]:
    users, _ = books.people(store=state.store)
    return {uid: u["name"] for uid, u in users.items()}


def linkable_accounts(state: WebState, viewer: Viewer, owners: dict[str, str | None]) -> set[str]:
    """The accounts (id -> owner) the viewer may open: the rule of ``/accounts/{id}`` (owned
    by a rep in their scope, or carrying a deal of one); the others show as plain text."""
    ids = {a for a in owners if a}
    if viewer.sees_all:
        return ids
    mine = {a for a in ids if viewer.may_see_rep(owners[a])}
    rest = sorted(ids - mine)
    if rest:
        opp = state.store.table("opportunity")
        deals = opp.filter(opp.account_id.isin(rest)).select("account_id", "owner_id").distinct()
        mine |= {d["account_id"] for d in _rows(deals) if viewer.may_see_rep(d["owner_id"])}
    return mine


# ------------------------------------------------------------------ named-account lists


def lists(state: WebState, viewer: Viewer, period: Period) -> Row:
    """Every named-account list with its counts (``onstrategy lists list``); the lists are
    not confidential, so everyone signed in sees them."""
    return {**_frame(state, viewer, period), "lists": list_lists(store=state.store)}


def named_list(
    state: WebState, viewer: Viewer, period: Period, list_id: str, *, show: str, offset: int
) -> Row:
    """One list's entries with the matched account and the reasons, filtered and paged."""
    if show not in LIST_SHOWS:
        raise InvalidInput(f"unknown filter {show!r}", f"show one of: {', '.join(LIST_SHOWS)}")
    entries, several = state.cached(("named_list", list_id), lambda: _list_data(state, list_id))
    chosen = _filtered(entries, several, show)
    page = [dict(e) for e in chosen[offset : offset + PAGE_SIZE]]
    _decorate_entries(state, viewer, page)
    summary = next(r for r in list_lists(store=state.store) if r["id"] == list_id)
    return {
        **_frame(state, viewer, period),
        "list": summary | {"accounts_on_several_entries": len(several)},
        "show": show,
        "shows": LIST_SHOWS,
        "total": len(chosen),
        "offset": offset,
        "page_size": PAGE_SIZE,
        "entries": page,
    }


def _list_data(state: WebState, list_id: str) -> tuple[list[Row], list[Row]]:
    entries = list_entries(store=state.store, list_id=list_id)["entries"]
    return entries, list_duplicates(store=state.store, list_id=list_id)


def _filtered(entries: list[Row], several: list[Row], show: str) -> list[Row]:
    if show == "white_space":  # as `lists show --white-space`: no account in the CRM yet
        return [e for e in entries if e["account_id"] is None]
    if show == "to_review":
        return [e for e in entries if e["match_status"] == "ambiguous"]
    if show == "duplicates":  # as `lists duplicates`, grouped by account
        order = {g["account_id"]: i for i, g in enumerate(several)}
        found = [e for e in entries if e["account_id"] in order]
        return sorted(found, key=lambda e: order[e["account_id"]])
    return entries


def _decorate_entries(state: WebState, viewer: Viewer, page: list[Row]) -> None:
    """Per entry: may the viewer open its account, its open review, and the leads with no
    account that matched it (white space that is already knocking)."""
    owners = {e["account_id"]: e["account_owner"] for e in page if e["account_id"]}
    links = linkable_accounts(state, viewer, owners)
    ids = [e["id"] for e in page]
    reviews = _open_reviews(state, "list_entry", [str(i) for i in ids])
    leads = _leads_per_entry(state, ids)
    names = _names(state)
    for entry in page:
        entry.pop("entry_key", None)
        entry["account_link"] = entry["account_id"] in links
        entry["account_owner_name"] = names.get(entry["account_owner"] or "")
        entry["review_id"] = reviews.get(str(entry["id"]))
        entry["leads_without_account"] = leads.get(entry["id"], 0)


def _open_reviews(state: WebState, kind: str, subject_ids: list[str]) -> dict[str, int]:
    if not subject_ids:
        return {}
    mr = state.store.table("match_review")
    found = mr.filter(
        mr.subject_kind == kind, mr.status == "open", mr.subject_id.isin(subject_ids)
    ).select("subject_id", "id")
    return {r["subject_id"]: int(r["id"]) for r in _rows(found)}


def _leads_per_entry(state: WebState, entry_ids: list[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    llm = state.store.table("lead_list_match")
    chosen = llm.filter(llm.entry_id.isin(entry_ids))
    grouped = chosen.group_by("entry_id").aggregate(n=chosen.count())
    return {int(r["entry_id"]): int(r["n"]) for r in _rows(grouped)}


# ------------------------------------------------------------------ the match review queue


def matches(
    state: WebState, viewer: Viewer, period: Period, *, kind: str | None, status: str, offset: int
) -> Row:
    """One page of the review queue (``onstrategy matches review``) for those who decide it,
    from the core's paged read: a manager sees their teams' leads (the core's rule) and every
    list entry (lists are not confidential)."""
    viewer.require_role(REVIEWERS, "work the match review queue")
    queue = review_queue(
        store=state.store, status=status, subject_kind=kind, limit=PAGE_SIZE, offset=offset,
        actor=viewer.id, strategy=state.strategy(), as_of=period.today,
    )  # fmt: skip
    names = _names(state)
    for row in queue.reviews:
        row["subject"]["owner_name"] = names.get(row["subject"].get("owner_id") or "")
        row["decided_by_name"] = names.get(row["decided_by"] or "")
    _with_candidate_accounts(state, viewer, queue.reviews, names)
    return {
        **_frame(state, viewer, period),
        "kind": kind,
        "status": status,
        "statuses": REVIEW_STATUSES,
        "total": queue.total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "reviews": queue.reviews,
    }


ACCOUNT_SHOWN = ("id", "name", "domain", "city", "state", "country", "owner_id")


def _with_candidate_accounts(
    state: WebState, viewer: Viewer, page: list[Row], names: dict[str, str]
) -> None:
    """Each candidate with its account's place, domain and owner, and whether it links."""
    ids = sorted({c["account_id"] for r in page for c in r["candidates"]} | _chosen(page))
    accounts: dict[str, Row] = {}
    if ids:
        acc = state.store.table("account")
        chosen = acc.filter(acc.id.isin(ids)).select(*ACCOUNT_SHOWN)
        accounts = {a["id"]: a for a in _rows(chosen)}
    links = linkable_accounts(state, viewer, {a: r["owner_id"] for a, r in accounts.items()})
    for row in page:
        for candidate in row["candidates"]:
            account = accounts.get(candidate["account_id"]) or {}
            candidate["account"] = account | {
                "owner_name": names.get(account.get("owner_id") or "")
            }
            candidate["account_link"] = candidate["account_id"] in links
        chosen_account = accounts.get(row.get("chosen_account_id") or "") or {}
        row["chosen_account_name"] = chosen_account.get("name")
        row["chosen_account_link"] = row.get("chosen_account_id") in links


def _chosen(page: list[Row]) -> set[str]:
    return {r["chosen_account_id"] for r in page if r.get("chosen_account_id")}


def resolve(
    state: WebState, viewer: Viewer, *, review_id: int, account_id: str | None, comment: str
) -> Row:
    """Decide a review item as the viewer with the core's ``resolve_review``, the CLI's: it
    checks who may decide it (a manager: their teams' leads), applies the choice to the lead
    or list entry and writes the audit log."""
    _review(state, review_id)  # a 404 that points at the page, not the CLI
    resolve_review(
        store=state.store,
        review_id=review_id,
        account_id=account_id,
        actor=viewer.id,
        comment=comment.strip() or None,
        now=datetime.now(UTC),
        strategy=state.strategy(),
    )
    return decided_review(state, viewer, review_id)


REVIEW_SHOWN = ("id", "subject_kind", "subject_id", "status", "score", "chosen_account_id",
                "decided_by", "decided_at", "comment")  # fmt: skip


def _review(state: WebState, review_id: int) -> Row:
    mr = state.store.table("match_review")
    found = _rows(mr.filter(mr.id == review_id).select(*REVIEW_SHOWN))
    if not found:
        raise NotFound(f"no match review #{review_id}", "open the review queue at /matches")
    return found[0]


def decided_review(state: WebState, viewer: Viewer, review_id: int) -> Row:
    """A review item after a decision: what it was about, the account chosen, by whom."""
    row = _review(state, review_id) | {"candidates": []}
    row["subject"] = _subject(state, row["subject_kind"], row["subject_id"])
    names = _names(state)
    _with_candidate_accounts(state, viewer, [row], names)
    row["decided_by_name"] = names.get(row["decided_by"] or "")
    return row


def _subject(state: WebState, kind: str, subject_id: str) -> Row:
    if kind == "lead":
        t = state.store.table("lead")
        shown = t.filter(t.id == subject_id).select(
            "id", "first_name", "last_name", "email", "company", "owner_id"
        )
    else:
        t = state.store.table("named_list_entry")
        key = int(subject_id) if subject_id.isdigit() else -1
        shown = t.filter(t.id == key).select("id", "list_id", "name", "website", "city", "state")
    found = _rows(shown)
    return found[0] if found else {"id": subject_id, "missing": True}


# ------------------------------------------------------------------ territories


def territories(state: WebState, viewer: Viewer, period: Period) -> Row:
    """``onstrategy territories check`` as of the period's last day, cut to the viewer:
    a manager sees their teams' reps (and the accounts they own), a rep their own row."""
    strategy, as_of = state.strategy(), period.date_to
    check: Row = state.cached(
        ("territories_check", as_of),
        lambda: territories_check(store=state.store, strategy=strategy, as_of=as_of).as_dict(),
    )
    loads = [r for r in check["loads"] if viewer.may_see_rep(r["rep_id"])]
    uncovered = [dict(a) for a in check["uncovered_icp_accounts"] if _in_scope(viewer, a)]
    claims = [dict(a) for a in check["double_claims"] if _in_scope(viewer, a)]
    names = _names(state)
    for account in (*uncovered, *claims):
        account["owner_name"] = names.get(account["owner_id"] or "")
    layout = territories_list(strategy=strategy, as_of=as_of)["territories"]
    covered = {t for r in loads for t in r["territories"]}
    return {
        **_frame(state, viewer, period),
        "as_of": as_of,
        "version": check["version"],
        "accounts": check["accounts"] if viewer.sees_all else None,
        "icp_accounts": check["icp_accounts"] if viewer.sees_all else None,
        "coverage": {t: n for t, n in check["coverage"].items() if viewer.sees_all or t in covered},
        "uncovered_icp_accounts": uncovered,
        "double_claims": claims,
        "loads": loads,
        "problems": len(uncovered) + len(claims) + sum(r["over_capacity"] for r in loads),
        "territories": layout,
        "precedence": PRECEDENCE_HELP,
        "unrouted": _unrouted(state) if viewer.sees_all else None,
        "charts": {"load": load_chart(loads)},
    }


def _in_scope(viewer: Viewer, account: Row) -> bool:
    return viewer.sees_all or (
        account["owner_id"] is not None and viewer.may_see_rep(account["owner_id"])
    )


def _unrouted(state: WebState) -> Row:
    """Active leads with no owner that routing never decided: to route from their page."""
    ids = unassigned_lead_ids(store=state.store)
    lead = state.store.table("lead")
    shown = lead.filter(lead.id.isin(ids[:UNROUTED_SHOWN])).select(
        "id", "first_name", "last_name", "company", "source", "created_on"
    )
    order = {lead_id: i for i, lead_id in enumerate(ids)}
    return {"total": len(ids), "leads": sorted(_rows(shown), key=lambda r: order[r["id"]])}


LOAD_STATUSES = ("within capacity", "over capacity", "no capacity set")


def load_chart(loads: list[Row]) -> Row:
    """Load (accounts + open leads) per rep as bars, capacity as a tick; over capacity red."""
    values = [
        {
            "rep": r["name"] or r["rep_id"],
            "load": r["load"],
            "capacity": r["capacity"],
            "accounts": r["accounts"],
            "open_leads": r["open_leads"],
            "status": LOAD_STATUSES[2 if r["capacity"] is None else 1 if r["over_capacity"] else 0],
        }
        for r in loads
    ]
    order = [v["rep"] for v in sorted(values, key=lambda v: -v["load"])]  # one sort, both layers
    tooltip = [{"field": f} for f in ("rep", "load", "capacity", "accounts", "open_leads")]
    colour = {"domain": list(LOAD_STATUSES), "range": [GOOD, BAD, "#9aa5b1"]}
    return {
        "$schema": SCHEMA, "title": "Load vs capacity by rep", "data": {"values": values},
        "width": 420, "height": {"step": 18},
        "encoding": {"y": {"field": "rep", "type": "nominal", "title": None, "sort": order}},
        "layer": [
            {"mark": "bar", "encoding": {
                "x": {"field": "load", "type": "quantitative",
                      "title": "load (accounts + open leads) vs capacity"},
                "color": {"field": "status", "type": "nominal", "scale": colour, "title": None},
                "tooltip": tooltip}},
            {"mark": {"type": "tick", "color": "#1d2733", "thickness": 2},
             "encoding": {"x": {"field": "capacity", "type": "quantitative"},
                          "tooltip": tooltip}},
        ],
    }  # fmt: skip


def chosen_account(account_id: str | None, none: bool) -> str | None:
    """The decision of a review form or request: an account id, or none of them."""
    account_id = (account_id or "").strip() or None
    if (account_id is None) == (not none):
        raise InvalidInput(
            "say which account it is, or that it is none of them",
            "send exactly one of account_id (a candidate's id) or none=true",
        )
    return account_id
