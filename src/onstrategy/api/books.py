"""A book of business as read models: a rep's deals, accounts and leads; one account; one
deal — each with the ICP fit and its reasons (from :mod:`onstrategy.engines.fit`).

Queries are Ibis expressions on the store, so they run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ibis
import sqlalchemy as sa

from onstrategy.engines.exceptions import account_fits
from onstrategy.engines.fit import AccountFit, explain, fit_table
from onstrategy.errors import NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

DEAL_COLUMNS = (
    "id",
    "name",
    "account_id",
    "owner_id",
    "amount",
    "list_amount",
    "stage",
    "is_closed",
    "is_won",
    "created_on",
    "closed_on",
    "product",
)
ACCOUNT_COLUMNS = (
    "id",
    "name",
    "domain",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "state",
    "city",
    "owner_id",
    "gate_status",
)
LEAD_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "company",
    "email",
    "source",
    "owner_id",
    "account_id",
    "created_on",
    "gate_status",
    "status",
)


def _rows(expr: Any) -> list[dict[str, Any]]:
    return list(expr.to_pyarrow().to_pylist())


def fit_dict(fit: AccountFit | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {
        "version": fit.version,
        "score": fit.score,
        "tier": fit.tier,
        "in_profile": fit.in_profile,
        "segment": fit.segment,
        "reasons": [
            {"criterion": r.criterion, "met": r.met, "points": r.points, "text": r.text}
            for r in fit.reasons
        ],
    }


def with_fits(rows: list[dict[str, Any]], fits: dict[str, AccountFit], key: str) -> None:
    for row in rows:
        row["fit"] = fit_dict(fits.get(row.get(key) or ""))


def rep_deals(
    *, store: Store, version: Version, rep_id: str, date_from: date, date_to: date
) -> list[dict[str, Any]]:
    """The rep's open deals and the deals created or closed in the period, newest first."""
    opp = store.table("opportunity")
    lo, hi = ibis.literal(date_from, "date"), ibis.literal(date_to, "date")
    live = ~opp.is_closed | opp.created_on.between(lo, hi) | opp.closed_on.between(lo, hi)
    chosen = opp.filter(opp.owner_id == rep_id, live).select(*DEAL_COLUMNS)
    rows = _rows(chosen.order_by([ibis.desc("created_on"), "id"]))
    _name_accounts(store, rows)
    with_fits(rows, account_fits(store, version, [r["account_id"] for r in rows]), "account_id")
    return rows


def _name_accounts(store: Store, rows: list[dict[str, Any]]) -> None:
    ids = sorted({r["account_id"] for r in rows if r.get("account_id")})
    if not ids:
        return
    acc = store.table("account")
    names = {r["id"]: r["name"] for r in _rows(acc.filter(acc.id.isin(ids)).select("id", "name"))}
    for row in rows:
        row["account_name"] = names.get(row.get("account_id") or "")


def rep_accounts(*, store: Store, version: Version, rep_id: str) -> list[dict[str, Any]]:
    """Accounts the rep owns, best fit first."""
    acc = store.table("account")
    rows = _rows(acc.filter(acc.owner_id == rep_id).select(*ACCOUNT_COLUMNS))
    with_fits(rows, account_fits(store, version, [r["id"] for r in rows]), "id")
    return sorted(rows, key=lambda r: (-(r["fit"] or {}).get("score", 0), r["name"] or ""))


def rep_leads(*, store: Store, rep_id: str, limit: int = 50) -> list[dict[str, Any]]:
    lead = store.table("lead")
    chosen = lead.filter(lead.owner_id == rep_id).select(*LEAD_COLUMNS)
    return _rows(chosen.order_by([ibis.desc("created_on"), "id"]).limit(limit))


def one(store: Store, table: str, record_id: str, what: str) -> dict[str, Any]:
    """One record by id (SQLAlchemy: JSON columns such as ``gate_reasons`` come back whole)."""
    t = tables.metadata.tables["user_account" if table == "user" else table]
    with store.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {what} {record_id!r}", f"check the {what} id")
    return dict(row)


def account_fit_by_version(
    *, store: Store, strategy: Strategy, account_id: str
) -> list[dict[str, Any]]:
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


def account_deals(*, store: Store, account_id: str) -> list[dict[str, Any]]:
    opp = store.table("opportunity")
    chosen = opp.filter(opp.account_id == account_id).select(*DEAL_COLUMNS)
    return _rows(chosen.order_by([ibis.desc("created_on"), "id"]))


def account_contacts(*, store: Store, account_id: str) -> list[dict[str, Any]]:
    c = store.table("contact")
    chosen = c.filter(c.account_id == account_id).select(
        "id", "first_name", "last_name", "title", "seniority", "function", "email"
    )
    return _rows(chosen.order_by(["last_name", "id"]))


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


def people(*, store: Store) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Users and teams by id (names for links)."""
    u, t = store.table("user_account"), store.table("team")
    users = {r["id"]: r for r in _rows(u.select("id", "name", "email", "role", "team_id"))}
    teams = {r["id"]: r for r in _rows(t.select("id", "name", "manager_id"))}
    return users, teams


def audit_entries(
    *, store: Store, limit: int, action: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """The newest audit-log entries (what people changed, and who)."""
    log = tables.audit_log
    query = sa.select(log).order_by(log.c.id.desc()).limit(limit)
    if action:
        # a prefix, taken literally and ignoring case, the same on SQLite and PostgreSQL
        query = query.where(sa.func.lower(log.c.action).startswith(action.lower(), autoescape=True))
    if actor:
        query = query.where(log.c.actor == actor)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
