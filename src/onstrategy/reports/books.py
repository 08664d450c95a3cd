"""A book of business as read models: a rep's deals, accounts and leads; one account; one
deal as it stood on a day — each with the ICP fit and its reasons (:mod:`onstrategy.engines.fit`).

Framework-free and shared: the web's pages and their JSON twins (``api/views.py``) call
these, cut the result to what the viewer may see and add the page frame; tests call them
directly. Time is a parameter:

* **a rep's book** (:func:`rep_book`) for a period: the deals open on its last day (the one
  definition of ``engines.definitions.open_on``: a deal closed after that day was open on
  it), or created or closed in the period; the accounts the rep owns, best fit first; the
  latest leads. Fits are judged by the version in force on the period's last day, or the
  version asked for.
* **one account** (:func:`account_view`): its fit under every strategy version, its deals
  and contacts.
* **one deal as of a day** (:func:`deal_view`): whether it was open that day, its account's
  fit under the version in force on its close day (when it had closed by then) or on the
  day, and who was engaged and whether they can approve (``engines.authority``, as
  ``onstrategy deals show --as-of`` shows it).

Queries are Ibis expressions on the store (SQLAlchemy for whole records with JSON columns
and the audit log), so they run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ibis
import sqlalchemy as sa

from onstrategy.engines.authority import explain_deal
from onstrategy.engines.definitions import closed_by, open_on
from onstrategy.engines.exceptions import account_fits
from onstrategy.engines.fit import AccountFit, explain, fit_table
from onstrategy.errors import NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

DEAL_COLUMNS = (
    "id", "name", "account_id", "owner_id", "amount", "list_amount", "stage", "is_closed",
    "is_won", "created_on", "closed_on", "product",
)  # fmt: skip
ACCOUNT_COLUMNS = (
    "id", "name", "domain", "industry", "employees", "annual_revenue", "country", "state",
    "city", "owner_id", "gate_status",
)  # fmt: skip
LEAD_COLUMNS = (
    "id", "first_name", "last_name", "company", "email", "source", "owner_id", "account_id",
    "created_on", "gate_status", "status",
)  # fmt: skip
LATEST_LEADS = 50
Row = dict[str, Any]


def _rows(expr: Any) -> list[Row]:
    return list(expr.to_pyarrow().to_pylist())


def fit_dict(fit: AccountFit | None) -> Row | None:
    """An account's fit as plain data: version, score, tier, segment and every reason."""
    return None if fit is None else fit.as_dict()


def with_fits(rows: list[Row], fits: dict[str, AccountFit], key: str) -> None:
    for row in rows:
        row["fit"] = fit_dict(fits.get(row.get(key) or ""))


def judging_version(strategy: Strategy, day: date, version_id: str | None = None) -> Version:
    """The version asked for, else the one in force on ``day``."""
    return strategy.version(version_id) if version_id else strategy.version_on(day)


# ------------------------------------------------------------------ a rep's book


def rep_book(
    *,
    store: Store,
    strategy: Strategy,
    rep_id: str,
    date_from: date,
    date_to: date,
    version_id: str | None = None,
) -> Row:
    """The rep's deals, accounts and latest leads for the period (see the module doc)."""
    version = judging_version(strategy, date_to, version_id)
    return {
        "version": version.id,
        "deals": rep_deals(
            store=store, version=version, rep_id=rep_id, date_from=date_from, date_to=date_to
        ),
        "accounts": rep_accounts(store=store, version=version, rep_id=rep_id),
        "leads": rep_leads(store=store, rep_id=rep_id),
    }


def rep_deals(
    *, store: Store, version: Version, rep_id: str, date_from: date, date_to: date
) -> list[Row]:
    """The rep's deals open on ``date_to`` or created or closed in the period, newest first;
    ``open`` tells whether each was open on ``date_to``."""
    opp = store.table("opportunity")
    lo, hi = ibis.literal(date_from, "date"), ibis.literal(date_to, "date")
    opened = opp.created_on.between(lo, hi)
    closed = opp.is_closed & opp.closed_on.between(lo, hi)
    chosen = opp.filter(opp.owner_id == rep_id, open_on(opp, hi) | opened | closed)
    chosen = chosen.select(*DEAL_COLUMNS, open=open_on(chosen, hi))
    rows = _rows(chosen.order_by([ibis.desc("created_on"), "id"]))
    _name_accounts(store, rows)
    with_fits(rows, account_fits(store, version, [r["account_id"] for r in rows]), "account_id")
    return rows


def _name_accounts(store: Store, rows: list[Row]) -> None:
    ids = sorted({r["account_id"] for r in rows if r.get("account_id")})
    if not ids:
        return
    acc = store.table("account")
    names = {r["id"]: r["name"] for r in _rows(acc.filter(acc.id.isin(ids)).select("id", "name"))}
    for row in rows:
        row["account_name"] = names.get(row.get("account_id") or "")


def rep_accounts(*, store: Store, version: Version, rep_id: str) -> list[Row]:
    """Accounts the rep owns, best fit first."""
    acc = store.table("account")
    rows = _rows(acc.filter(acc.owner_id == rep_id).select(*ACCOUNT_COLUMNS))
    with_fits(rows, account_fits(store, version, [r["id"] for r in rows]), "id")
    return sorted(rows, key=lambda r: (-(r["fit"] or {}).get("score", 0), r["name"] or ""))


def rep_leads(*, store: Store, rep_id: str, limit: int = LATEST_LEADS) -> list[Row]:
    """The rep's newest leads."""
    lead = store.table("lead")
    chosen = lead.filter(lead.owner_id == rep_id).select(*LEAD_COLUMNS)
    return _rows(chosen.order_by([ibis.desc("created_on"), "id"]).limit(limit))


# ------------------------------------------------------------------ records and people


def record(*, store: Store, table: str, record_id: str, what: str) -> Row:
    """One record by id (SQLAlchemy: JSON columns such as ``gate_reasons`` come back whole);
    ``what`` names it in the error when there is none."""
    t = tables.metadata.tables["user_account" if table == "user" else table]
    with store.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {what} {record_id!r}", f"check the {what} id")
    return dict(row)


def people(*, store: Store) -> tuple[dict[str, Row], dict[str, Row]]:
    """Users and teams by id (names for links)."""
    u, t = store.table("user_account"), store.table("team")
    users = {r["id"]: r for r in _rows(u.select("id", "name", "email", "role", "team_id"))}
    teams = {r["id"]: r for r in _rows(t.select("id", "name", "manager_id"))}
    return users, teams


def _name_owners(rows: Iterable[Row], users: dict[str, Row]) -> None:
    for row in rows:
        row["owner_name"] = (users.get(row.get("owner_id") or "") or {}).get("name")


def account_owners(*, store: Store) -> dict[str, str | None]:
    """Every account's owner, by account id."""
    rows = _rows(store.table("account").select("id", "owner_id"))
    return {r["id"]: r["owner_id"] for r in rows}


def owners_of_accounts(*, store: Store, account_ids: Iterable[str]) -> dict[str, str | None]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    acc = store.table("account")
    rows = _rows(acc.filter(acc.id.isin(ids)).select("id", "owner_id"))
    return {r["id"]: r["owner_id"] for r in rows}


def deal_owners_on_account(*, store: Store, account_id: str) -> set[str]:
    opp = store.table("opportunity")
    rows = _rows(opp.filter(opp.account_id == account_id).select("owner_id").distinct())
    return {r["owner_id"] for r in rows if r["owner_id"]}


# ------------------------------------------------------------------ one account


def account_view(*, store: Store, strategy: Strategy, account_id: str) -> Row:
    """The account (owner named), its fit under every version, every deal on it (owners
    named, newest first) and its contacts; the caller keeps the deals the viewer may see."""
    users, _ = people(store=store)
    account = record(store=store, table="account", record_id=account_id, what="account")
    account.pop("gate_reasons", None)
    deals = account_deals(store=store, account_id=account_id)
    _name_owners([account, *deals], users)
    return {
        "account": account,
        "fit_by_version": account_fit_by_version(
            store=store, strategy=strategy, account_id=account_id
        ),
        "deals": deals,
        "contacts": account_contacts(store=store, account_id=account_id),
    }


def account_fit_by_version(*, store: Store, strategy: Strategy, account_id: str) -> list[Row]:
    """The account's fit under every strategy version, oldest first."""
    acc = store.table("account")
    entries = store.table("named_list_entry")
    out = []
    for version in strategy.versions:
        fitted = fit_table(
            table=acc.filter(acc.id == account_id), key="id", version=version, list_entries=entries
        )
        rows = _rows(fitted)
        fit = explain(rows[0], version=version) if rows else None
        out.append(
            {"version": version.id, "effective_from": version.effective_from, "fit": fit_dict(fit)}
        )
    return out


def account_deals(*, store: Store, account_id: str) -> list[Row]:
    opp = store.table("opportunity")
    chosen = opp.filter(opp.account_id == account_id).select(*DEAL_COLUMNS)
    return _rows(chosen.order_by([ibis.desc("created_on"), "id"]))


def account_contacts(*, store: Store, account_id: str) -> list[Row]:
    c = store.table("contact")
    chosen = c.filter(c.account_id == account_id).select(
        "id", "first_name", "last_name", "title", "seniority", "function", "email"
    )
    return _rows(chosen.order_by(["last_name", "id"]))


# ------------------------------------------------------------------ one deal


def deal_view(*, store: Store, strategy: Strategy, deal_id: str, as_of: date) -> Row:
    """The deal as it stood on ``as_of`` (see the module doc): ``open`` that day,
    ``judged_on`` (its close day if it had closed by then, else ``as_of``), its account's
    ``fit`` under the version in force that day, and ``authority``."""
    deal = record(store=store, table="opportunity", record_id=deal_id, what="deal")
    _name_owners([deal], people(store=store)[0])
    state = _state_on(store, deal_id, as_of)
    judged_on = deal["closed_on"] if state["closed"] and deal["closed_on"] else as_of
    version = strategy.version_on(judged_on)
    fit = account_fits(store, version, [deal["account_id"]]).get(deal["account_id"] or "")
    authority = explain_deal(store=store, strategy=strategy, opportunity_id=deal_id, as_of=as_of)
    return {
        "deal": deal,
        "as_of": as_of,
        "open": state["open"],
        "judged_on": judged_on,
        "fit": fit_dict(fit),
        "authority": authority.as_dict(),
    }


def _state_on(store: Store, deal_id: str, as_of: date) -> Row:
    """Whether the deal was open, and whether it had closed, on ``as_of``."""
    opp = store.table("opportunity")
    day = ibis.literal(as_of, "date")
    one = opp.filter(opp.id == deal_id)
    rows = _rows(one.select(open=open_on(one, day), closed=closed_by(one, day)))
    return rows[0] if rows else {"open": False, "closed": False}


# ------------------------------------------------------------------ the audit log


def audit_entries(
    *, store: Store, limit: int, action: str | None = None, actor: str | None = None
) -> list[Row]:
    """The newest audit-log entries (what people changed, and who), actors named."""
    log = tables.audit_log
    query = sa.select(log).order_by(log.c.id.desc()).limit(limit)
    if action:
        # a prefix, taken literally and ignoring case, the same on SQLite and PostgreSQL
        query = query.where(sa.func.lower(log.c.action).startswith(action.lower(), autoescape=True))
    if actor:
        query = query.where(log.c.actor == actor)
    with store.begin() as conn:
        entries = [dict(r) for r in conn.execute(query).mappings()]
    users, _ = people(store=store)
    for entry in entries:
        entry["actor_name"] = (users.get(entry["actor"]) or {}).get("name")
    return entries
