"""Reads the workflow decides on: subjects with their fit, a rep's open pipeline and budget."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis.expr.types as ir
import sqlalchemy as sa

from onstrategy.crm.lead_lists import lead_list_entries
from onstrategy.engines.definitions import deal_open_on, open_deals
from onstrategy.engines.exceptions.records import KINDS, Budget, Subject
from onstrategy.engines.fit import AccountFit, explain, fit_table
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Version

_FIT_READS = ("industry", "employees", "annual_revenue", "country", "state")
_PIPELINE_COLUMNS = ("id", "name", "account_id", "amount", "stage", "created_on", "owner_id")


def _fit_rows(
    store: Store, version: Version, table: str, ids: list[str], entries: ir.Table | None = None
) -> dict[str, Any]:
    """Fits of ``ids`` in ``table``; named lists from ``entries`` (accounts' by default)."""
    if not ids:
        return {}
    chosen = store.table(table)
    columns = [c for c in ("id", "name", *_FIT_READS) if c in chosen.columns]
    chosen = chosen.filter(chosen.id.isin(ids)).select(*columns)
    entries = entries if entries is not None else store.table("named_list_entry")
    fitted = fit_table(table=chosen, key="id", version=version, list_entries=entries)
    rows = fitted.to_pyarrow().to_pylist()
    return {r["id"]: explain(r, version=version) for r in rows}


def account_fits(store: Store, version: Version, ids: list[str]) -> dict[str, AccountFit]:
    return _fit_rows(store, version, "account", sorted({i for i in ids if i}))


def load_subject(
    store: Store, version: Version, kind: str, subject_id: str, *, as_of: date
) -> Subject:
    """The deal or lead as it stood on ``as_of``: a deal is open by the shared rule
    (``engines.definitions``), so a request dated before it closed sees it open."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown subject kind {kind!r}", "use lead or opportunity")
    table = tables.opportunity if kind == "opportunity" else tables.lead
    with store.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == subject_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {kind} {subject_id!r}", f"check the {kind} id in the CRM export")
    account_id = row["account_id"]
    fit = account_fits(store, version, [account_id]).get(account_id) if account_id else None
    if kind == "lead" and fit is None:  # on its own, with the lists its company is on
        own = _fit_rows(store, version, "lead", [subject_id], lead_list_entries(store))
        fit = own.get(subject_id)
    if kind == "opportunity":
        return Subject(
            kind,
            subject_id,
            row["name"],
            row["owner_id"],
            account_id,
            row["amount"],
            deal_open_on(row, as_of),
            fit,
        )
    name = row["company"] or " ".join(filter(None, (row["first_name"], row["last_name"])))
    return Subject(
        kind,
        subject_id,
        name,
        row["owner_id"],
        account_id,
        None,
        (row["status"] or "").lower() not in ("converted", "disqualified"),
        fit,
    )


def open_pipeline(store: Store, version: Version, rep_id: str, as_of: date) -> list[dict[str, Any]]:
    """The rep's opportunities open on ``as_of`` (``engines.definitions.open_deals``: a deal
    closed after ``as_of`` still counts) with the fit of their accounts."""
    deals = open_deals(store=store, as_of=as_of)
    mine = deals.filter(deals.owner_id == rep_id).select(*_PIPELINE_COLUMNS).order_by("id")
    rows: list[dict[str, Any]] = mine.to_pyarrow().to_pylist()
    fits = account_fits(store, version, [r["account_id"] for r in rows])
    for row in rows:
        row["fit"] = fits.get(row["account_id"])
    return rows


def budget_for(
    store: Store, version: Version, subject: Subject, value: float, as_of: date
) -> Budget:
    rep = subject.owner_id or ""
    rows = open_pipeline(store, version, rep, as_of)
    total = sum(r["amount"] or 0.0 for r in rows)
    off = sum(r["amount"] or 0.0 for r in rows if not (r["fit"] and r["fit"].in_profile))
    counted = subject.kind == "opportunity" and any(r["id"] == subject.id for r in rows)
    return Budget(rep, total, off, 0.0 if counted else value, version.goals.exception_budget)
