"""The intake gate: prospects outside the target market are quarantined, never deleted.

When leads are imported (after they are matched to accounts), each lead of the batch is
classified against the ICP version in force on the import's ``as_of`` date, with the fit
engine (:func:`onstrategy.engines.fit.fit_table`, the same Ibis definition the reports
use). A lead matched to an account takes the account's fit (the company is what counts);
a lead without an account is judged on its own firmographics.

- in profile → ``gate_status = "active"``;
- off profile → ``gate_status = "quarantined"``;
- ``gate_reasons`` (JSON) always says why: decision, score, tier, segment, strategy
  version, what it was judged on, and each criterion met or failed in words.

A quarantined record stays stored, visible (``onstrategy gate list``) and searchable; an
admin releases it (``gate release``: status ``released``, audit-logged), and a released
record is never quarantined again by a later run.

Accounts are gated only when asked (``gate apply --kind accounts --batch N``), and an
account is **protected** — never quarantined, whatever its fit — when it has any
opportunity (it is a customer or pipeline), or when its export carries a customer status
(a ``Type``/``Account Type``/``Customer Status``/``Lifecycle Stage`` column saying
customer, partner or former customer). Protected accounts stay active with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import ibis.expr.types as ir
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.lead_matching import require_role
from onstrategy.engines.fit import AccountFit, explain, fit_table
from onstrategy.errors import Conflict, InvalidInput, NotFound, OnstrategyError
from onstrategy.ingest.importer import AfterImport, register_after_import
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

Kind = Literal["leads", "accounts"]
KINDS: dict[str, sa.Table] = {"leads": tables.lead, "accounts": tables.account}
STATUS_FIELDS = ("type", "account type", "customer status", "lifecycle stage", "status")
CUSTOMER_WORDS = ("customer", "partner", "client")
CHUNK = 2000


@dataclass(frozen=True)
class GateDecision:
    """One record's gate outcome with its reasons."""

    kind: str
    id: str
    status: str  # active | quarantined
    reasons: dict[str, Any]


@dataclass
class GateRun:
    kind: str
    version: str
    as_of: date
    counts: dict[str, int] = field(
        default_factory=lambda: {"active": 0, "quarantined": 0, "protected": 0, "released": 0}
    )

    def note(self) -> str:
        c = self.counts
        judged = c["active"] + c["quarantined"] + c["protected"]
        if not judged:
            return f"intake gate ({self.version}): no {self.kind} to classify"
        text = (
            f"intake gate ({self.version}, as of {self.as_of.isoformat()}): {judged:,} "
            f"{self.kind} — {c['active']:,} in profile, {c['quarantined']:,} quarantined "
            f"({c['quarantined'] / judged:.0%})"
        )
        if c["protected"]:
            text += f", {c['protected']:,} off profile but kept (customers or pipeline)"
        if c["released"]:
            text += f", {c['released']:,} released earlier and left alone"
        return text + "; see `onstrategy gate list`"


# ------------------------------------------------------------------ classification


def _describe(fit: AccountFit, version: Version, judged_on: str, as_of: date) -> dict[str, Any]:
    return {
        "decision": "active" if fit.in_profile else "quarantined",
        "in_profile": fit.in_profile,
        "score": fit.score,
        "tier": fit.tier,
        "in_profile_tiers": list(version.icp.in_profile),
        "segment": fit.segment,
        "version": version.id,
        "as_of": as_of.isoformat(),
        "judged_on": judged_on,
        "failed": [r.text for r in fit.reasons if not r.met],
        "met": [r.text for r in fit.reasons if r.met],
    }


_FIRMOGRAPHICS = ("industry", "employees", "annual_revenue", "country", "state", "city")
_COLUMNS = {"leads": ("id", "account_id", "company"), "accounts": ("id", "name")}


def _chosen(store: Store, kind: str, batch_id: int | None) -> ir.Table:
    """The records to gate (released ones never are), only the columns the fit reads."""
    table = store.table(KINDS[kind].name)
    if batch_id is not None:
        table = table.filter(table.import_batch_id == batch_id)
    table = table.filter(table.gate_status != "released")
    return table.select(*_COLUMNS[kind], *_FIRMOGRAPHICS)


def lead_list_entries(store: Store) -> ir.Table:
    """Named-list membership for a lead's own fit: entries matched to accounts, plus leads
    whose company is a white-space entry (``lead_list_match``; see ``crm.lead_matching``)."""
    entries, direct = store.table("named_list_entry"), store.table("lead_list_match")
    text = "string"  # one nullable type on both sides, as a union needs
    accounts = entries.select(
        list_id=entries.list_id.cast(text), account_id=entries.account_id.cast(text)
    )
    leads = direct.select(list_id=direct.list_id.cast(text), account_id=direct.lead_id.cast(text))
    return accounts.union(leads)


def _fitted_pages(
    store: Store, table: ir.Table, version: Version, entries: ir.Table | None = None
) -> Iterator[list[dict[str, Any]]]:
    """``table`` scored by the fit engine, a page of ``CHUNK`` rows at a time (keyset on id)."""
    entries = entries if entries is not None else store.table("named_list_entry")
    last: str | None = None
    while True:
        page = table if last is None else table.filter(table.id > last)
        page = page.order_by("id").limit(CHUNK)
        fitted = fit_table(table=page, key="id", version=version, list_entries=entries)
        rows: list[dict[str, Any]] = fitted.order_by("id").to_pyarrow().to_pylist()
        if not rows:
            return
        last = rows[-1]["id"]
        yield rows


def _account_fits(store: Store, version: Version, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    accounts = store.table("account").select(*_COLUMNS["accounts"], *_FIRMOGRAPHICS)
    chosen = accounts.filter(accounts.id.isin(sorted(ids)))
    return {r["id"]: r for page in _fitted_pages(store, chosen, version) for r in page}


def classify_leads(
    *, store: Store, version: Version, as_of: date, batch_id: int | None = None
) -> Iterator[list[GateDecision]]:
    """Gate decisions, page by page, for the leads of ``batch_id`` (all when None).

    Released leads are never classified again.
    """
    leads, entries = _chosen(store, "leads", batch_id), lead_list_entries(store)
    for rows in _fitted_pages(store, leads, version, entries):
        accounts = _account_fits(store, version, {r["account_id"] for r in rows} - {None})
        yield [_lead_decision(row, accounts.get(row["account_id"]), version, as_of) for row in rows]


def _lead_decision(
    row: dict[str, Any], account: dict[str, Any] | None, version: Version, as_of: date
) -> GateDecision:
    if account is not None:
        on = f"matched account {account['name']} ({account['id']})"
        fit = explain(account, version=version)
    else:
        on = "the lead's own firmographics (no matched account)"
        fit = explain(row, version=version)
    reasons = _describe(fit, version, on, as_of)
    return GateDecision("leads", row["id"], reasons["decision"], reasons)


def _customer_status(extra: Any) -> str | None:
    for key, value in (extra or {}).items():
        if key.strip().lower() in STATUS_FIELDS and any(
            w in str(value).lower() for w in CUSTOMER_WORDS
        ):
            return f"{key} is {value!r}"
    return None


def _protections(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """Why each protected account must never be quarantined (deals, customer status)."""
    opp, acc = tables.opportunity, tables.account
    wanted, found = list(ids), {}
    with store.begin() as conn:
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            query = sa.select(acc.c.id, acc.c.extra).where(
                acc.c.id.in_(part), acc.c.extra.isnot(None)
            )
            for account_id, extra in conn.execute(query):
                if status := _customer_status(extra):
                    found[account_id] = status
            query = sa.select(opp.c.account_id).where(opp.c.account_id.in_(part)).distinct()
            found.update(dict.fromkeys(conn.execute(query).scalars(), "it has opportunities"))
    return found


def classify_accounts(
    *, store: Store, version: Version, as_of: date, batch_id: int | None = None
) -> Iterator[list[GateDecision]]:
    """Gate decisions for accounts, page by page (see the module docstring: protection)."""
    for rows in _fitted_pages(store, _chosen(store, "accounts", batch_id), version):
        protected = _protections(store, (r["id"] for r in rows))
        yield [_account_decision(row, protected.get(row["id"]), version, as_of) for row in rows]


def _account_decision(
    row: dict[str, Any], guard: str | None, version: Version, as_of: date
) -> GateDecision:
    reasons = _describe(explain(row, version=version), version, "the account", as_of)
    if guard and reasons["decision"] == "quarantined":
        reasons |= {"decision": "active", "protected": f"never quarantined: {guard}"}
    return GateDecision("accounts", row["id"], reasons["decision"], reasons)


# ------------------------------------------------------------------ applying


def apply_gate(
    *,
    store: Store,
    strategy: Strategy,
    kind: str,
    as_of: date,
    batch_id: int | None = None,
    actor: str = "system",
    progress: Callable[[int, int], None] | None = None,
) -> GateRun:
    """Classify ``kind`` records (one batch, or all) and store status and reasons.

    Works a page of records at a time (each page commits), so memory stays flat however
    many records there are; ``progress(done, total)`` is called after each page.
    """
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", "one of: leads, accounts")
    if kind == "accounts" and batch_id is None:
        raise InvalidInput(
            "accounts are gated one import batch at a time",
            "pass --batch N (the batch that created them; see `onstrategy import batches`)",
        )
    version = strategy.version_on(as_of)
    classify = classify_leads if kind == "leads" else classify_accounts
    run = GateRun(kind, version.id, as_of)
    total = _count(store, kind, batch_id)
    for decisions in classify(store=store, version=version, as_of=as_of, batch_id=batch_id):
        _store(store, kind, decisions, run)
        if progress:
            progress(sum(run.counts.values()), total)
    run.counts["released"] = _count_released(store, kind, batch_id)
    with store.begin() as conn:
        store.audit(
            conn,
            actor=actor,
            action="gate.apply",
            entity=kind,
            entity_id=str(batch_id) if batch_id is not None else "all",
            details={"version": version.id, "as_of": as_of.isoformat(), **run.counts},
        )
    return run


def _store(store: Store, kind: str, decisions: list[GateDecision], run: GateRun) -> None:
    table = KINDS[kind]
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("b_id"), table.c.gate_status != "released")
        .values(gate_status=sa.bindparam("b_status"), gate_reasons=sa.bindparam("b_reasons"))
    )
    for d in decisions:
        run.counts["protected" if "protected" in d.reasons else d.status] += 1
    with store.begin() as conn:
        conn.execute(
            update,
            [{"b_id": d.id, "b_status": d.status, "b_reasons": d.reasons} for d in decisions],
        )


def _count(store: Store, kind: str, batch_id: int | None) -> int:
    table = KINDS[kind]
    query = sa.select(sa.func.count()).where(table.c.gate_status != "released")
    if batch_id is not None:
        query = query.where(table.c.import_batch_id == batch_id)
    with store.begin() as conn:
        return int(conn.execute(query).scalar_one())


def _count_released(store: Store, kind: str, batch_id: int | None) -> int:
    table = KINDS[kind]
    query = sa.select(sa.func.count()).where(table.c.gate_status == "released")
    if batch_id is not None:
        query = query.where(table.c.import_batch_id == batch_id)
    with store.begin() as conn:
        return int(conn.execute(query).scalar_one())


# ------------------------------------------------------------------ release and listing


def release(
    *, store: Store, kind: str, record_id: str, actor: str, reason: str, now: datetime
) -> dict[str, Any]:
    """An admin lets a quarantined record in; audit-logged, and never re-quarantined."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", "one of: leads, accounts")
    if len(reason.split()) < 3:
        raise InvalidInput("say why the record is released", "--reason needs a few words")
    table = KINDS[kind]
    with store.begin() as conn:
        admin = require_role(conn, actor, ("admin",), "release quarantined records")
        row = _record(conn, table, kind, record_id)
        if row["gate_status"] != "quarantined":
            raise Conflict(
                f"{kind[:-1]} {record_id} is {row['gate_status']}, not quarantined",
                "only quarantined records can be released",
            )
        reasons = dict(row["gate_reasons"] or {})
        reasons["release"] = {"by": admin.id, "at": now.isoformat(), "reason": reason}
        conn.execute(
            table.update()
            .where(table.c.id == record_id)
            .values(gate_status="released", gate_reasons=reasons)
        )
        store.audit(
            conn,
            actor=admin.id,
            action="gate.release",
            entity=kind,
            entity_id=record_id,
            details={"reason": reason, "was": row["gate_reasons"]},
        )
    return {"kind": kind, "id": record_id, "gate_status": "released", "gate_reasons": reasons}


def _record(conn: Connection, table: sa.Table, kind: str, record_id: str) -> dict[str, Any]:
    row = conn.execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
    if row is None:
        raise NotFound(f"no {kind[:-1]} {record_id!r}", "check the id with `onstrategy gate list`")
    return dict(row)


_SEARCHED = {
    "leads": ("first_name", "last_name", "email", "company", "domain", "city"),
    "accounts": ("name", "domain", "website", "city"),
}


def list_gated(
    *,
    store: Store,
    kind: str = "leads",
    status: str = "quarantined",
    source: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Records by gate status (quarantined by default), with their reasons; newest first."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", "one of: leads, accounts")
    table = KINDS[kind]
    query = sa.select(table).order_by(table.c.created_on.desc(), table.c.id)
    if status != "all":
        query = query.where(table.c.gate_status == status)
    if source:
        query = query.where(sa.func.lower(table.c.source) == source.strip().lower())
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(*(sa.func.lower(table.c[c]).like(like) for c in _SEARCHED[kind]))
        )
    if limit:
        query = query.limit(limit)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


# ------------------------------------------------------------------ after a leads import


def after_leads_import(ctx: AfterImport) -> list[str]:
    """Gate the batch's leads; with no strategy, say so and how to do it later."""
    if ctx.strategy is None:
        return [
            f"intake gate not applied: no strategy given. Apply it with `onstrategy --strategy "
            f"FILE gate apply --kind leads --batch {ctx.batch_id}`"
        ]
    try:
        run = apply_gate(
            store=ctx.store,
            strategy=ctx.strategy,
            kind="leads",
            as_of=ctx.as_of,
            batch_id=ctx.batch_id,
            actor=ctx.actor,
        )
    except OnstrategyError as err:  # e.g. no version in force yet: the import still stands
        return [f"intake gate not applied: {err.message}. {err.hint}".strip()]
    return [run.note()]


register_after_import("leads", after_leads_import)
