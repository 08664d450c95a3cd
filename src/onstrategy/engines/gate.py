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

A lead's named lists are those of :mod:`onstrategy.crm.lead_lists` (its account's, or the
lists its company is a white-space entry of), the rule routing and exceptions use too.

A quarantined record stays stored, visible (``onstrategy gate list``) and searchable; an
admin releases it (``gate release``: status ``released``, audit-logged; both in
:mod:`onstrategy.engines.quarantine`, re-exported here), and a released
record is never quarantined again by a later run — with one exception: a re-import that
changes what the ICP reads of a released lead. Each lead decision keeps that in its
reasons (``basis``: the industry, employees, revenue, country, state and named lists it was
judged on — its matched account's, with the account's id, or the lead's own); a re-import
that changes the lead without changing its basis leaves the release alone, one that changes
it judges the lead again (the reasons keep the release under ``after_release`` with what
changed, and the import's note says so). A basis kept before it held the account's
firmographics (the account id alone) is compared on the account alone.

An accounts import reaches the leads judged on its accounts (:func:`regate_leads`, run by
:mod:`onstrategy.crm.account_import`): a lead whose account it changed in what the ICP reads,
or that it gave an account, is judged again — a lead whose basis and judgement are unchanged
is left as it was, a released one unless its basis changed, as above.

After an import, the gate judges the leads the import created *or changed*
(``last_batch_id``): a lead whose country, industry or company changed is judged again,
and the note counts them. ``--batch N`` means the same: the records import N wrote.

Accounts are gated only when asked (``gate apply --kind accounts --batch N``), and an
account is **protected** — never quarantined, whatever its fit — when it has any
opportunity (it is a customer or pipeline), or when its export carries a customer status
(a ``Type``/``Account Type``/``Customer Status``/``Lifecycle Stage`` column saying
customer, partner or former customer). Protected accounts stay active with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import ibis.expr.types as ir
import sqlalchemy as sa

from onstrategy.crm.lead_lists import lead_list_entries, lists_of_leads
from onstrategy.engines.fit import AccountFit, explain, fit_table
from onstrategy.engines.gate_basis import after_release
from onstrategy.engines.quarantine import KINDS, list_gated, release
from onstrategy.errors import InvalidInput, OnstrategyError
from onstrategy.ingest.importer import AfterImport, register_after_import
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.model import Strategy, Version

Kind = Literal["leads", "accounts"]
STATUS_FIELDS = ("type", "account type", "customer status", "lifecycle stage", "status")
CUSTOMER_WORDS = ("customer", "partner", "client")
CHUNK = 2000
# decisions by outcome; then, of an import's leads, those stored before (re-gated), how many
# of them changed status, and released leads judged again (what the ICP reads changed)
COUNTED: tuple[str, ...] = ("active", "quarantined", "protected", "released")
COUNTED += ("regated", "status_changed", "released_regated")


@dataclass(frozen=True)
class GateDecision:
    """One record's gate outcome with its reasons."""

    kind: str
    id: str
    status: str  # active | quarantined
    reasons: dict[str, Any]
    was: str | None = None  # the status before, when the record existed before this import


@dataclass
class GateRun:
    kind: str
    version: str
    as_of: date
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))

    def count(self, decision: GateDecision) -> None:
        c = self.counts
        c["protected" if "protected" in decision.reasons else decision.status] += 1
        c["regated"] += decision.was is not None
        c["status_changed"] += decision.was not in (None, decision.status)
        c["released_regated"] += "after_release" in decision.reasons

    @property
    def judged(self) -> int:
        return self.counts["active"] + self.counts["quarantined"] + self.counts["protected"]

    def note(self) -> str:
        c, judged = self.counts, self.judged
        if not judged and not c["released"]:
            return f"intake gate ({self.version}): no {self.kind} to classify"
        text = f"intake gate ({self.version}, as of {self.as_of.isoformat()}): "
        if judged:
            text += (
                f"{judged:,} {self.kind} — {c['active']:,} in profile, "
                f"{c['quarantined']:,} quarantined ({c['quarantined'] / judged:.0%})"
            )
        return text + "".join(self._more()) + "; see `onstrategy gate list`"

    def _more(self) -> Iterator[str]:
        c = self.counts
        if c["protected"]:
            yield f", {c['protected']:,} off profile but kept (customers or pipeline)"
        if c["regated"]:
            yield (
                f"; {c['regated']:,} of them were stored before and re-gated because the "
                f"import changed them ({c['status_changed']:,} changed status)"
            )
        if c["released_regated"]:
            yield (
                f"; {c['released_regated']:,} released earlier judged again because the "
                "import changed what the ICP reads"
            )
        if c["released"]:
            start = "; " if self.judged else ""
            yield f"{start}{c['released']:,} released earlier and left alone"


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
_ICP_READS = ("industry", "employees", "annual_revenue", "country", "state")  # + named lists
_BATCH = ("gate_status", "import_batch_id")
_COLUMNS = {"leads": ("id", "account_id", "company", *_BATCH), "accounts": ("id", "name")}
__all__ = [
    "GateDecision", "GateRun", "apply_gate", "lead_list_entries", "list_gated", "regate_leads",
    "release",
]  # fmt: skip


def _chosen(store: Store, kind: str, batch_id: int | None) -> ir.Table:
    """The records to gate, only the columns the fit reads: those import ``batch_id`` wrote
    (released leads included, see ``gate_basis.after_release``), else all but the released."""
    table = store.table(KINDS[kind].name)
    if batch_id is not None:
        table = table.filter(
            (table.import_batch_id == batch_id) | (table.last_batch_id == batch_id)
        )
    if batch_id is None or kind != "leads":
        table = table.filter(table.gate_status != "released")
    return table.select(*_COLUMNS[kind], *_FIRMOGRAPHICS)


def _of_batch(table: sa.Table, batch_id: int) -> sa.ColumnElement[bool]:
    """The records import ``batch_id`` created or changed (as ``_chosen`` selects them)."""
    return sa.or_(table.c.import_batch_id == batch_id, table.c.last_batch_id == batch_id)


def _fitted_pages(
    store: Store, table: ir.Table, version: Version, entries: ir.Table | None = None
) -> Iterator[tuple[list[dict[str, Any]], ir.Table]]:
    """``table`` scored by the fit engine, a page of ``CHUNK`` rows at a time (keyset on id),
    with the page's expression (for a query about the same rows, never a list of ids)."""
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
        yield rows, page


def _account_fits(
    store: Store, version: Version, leads: ir.Table, rows: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The fit rows of the accounts of a page of leads (``leads``, fetched as ``rows``), each
    with the named lists it is on (``named_lists``)."""
    if all(r["account_id"] is None for r in rows):
        return {}
    accounts = store.table("account").select(*_COLUMNS["accounts"], *_FIRMOGRAPHICS)
    chosen = accounts.filter(accounts.id.isin(leads.account_id))
    fits = {r["id"]: r for page, _ in _fitted_pages(store, chosen, version) for r in page}
    e = tables.named_list_entry
    query = sa.select(e.c.account_id, e.c.list_id).where(e.c.account_id.in_(sorted(fits)))
    with store.begin() as conn:
        on = conn.execute(query.distinct().order_by(e.c.list_id)).all()
    for fit in fits.values():
        fit["named_lists"] = [str(list_id) for account_id, list_id in on if account_id == fit["id"]]
    return fits


def classify_leads(
    *, store: Store, version: Version, as_of: date, batch_id: int | None = None,
    reached_by: int | None = None, also: Sequence[str] = (),
) -> Iterator[list[GateDecision]]:  # fmt: skip
    """Gate decisions, page by page, for the leads of ``batch_id`` (all when None); or, with
    ``reached_by``, for the leads judged before on an account that accounts import created
    or changed, and ``also`` (:func:`regate_leads`).

    Released leads are classified again only when what the ICP reads of them changed (see
    the module docstring); with ``reached_by`` so is every lead; those left alone are not
    yielded.
    """
    again = reached_by is not None
    leads, entries = _leads_chosen(store, batch_id, reached_by, also), lead_list_entries(store)
    for rows, page in _fitted_pages(store, leads, version, entries):
        accounts = _account_fits(store, version, page, rows)
        lists = _own_lists(store, [r["id"] for r in rows if r["account_id"] is None])
        stored = [again or (batch_id is not None and r["import_batch_id"] != batch_id)
                  for r in rows]  # fmt: skip
        decisions = (
            _lead_decision(row, accounts.get(row["account_id"]), lists, version, as_of, was)
            for row, was in zip(rows, stored, strict=True)
        )
        yield [d for d in after_release(store, decisions, again) if d]


def _leads_chosen(
    store: Store, batch_id: int | None, reached_by: int | None, also: Sequence[str]
) -> ir.Table:
    if reached_by is None:
        return _chosen(store, "leads", batch_id)
    lead, account = store.table("lead"), store.table("account")
    reached = lead.account_id.isin(account.filter(account.last_batch_id == reached_by).id)
    reached = reached | lead.id.isin(list(also)) if also else reached
    chosen = lead.filter(lead.gate_reasons.notnull() & reached)
    return chosen.select(*_COLUMNS["leads"], *_FIRMOGRAPHICS)


def _own_lists(store: Store, ids: list[str]) -> dict[str, frozenset[str]]:
    if not ids:
        return {}
    with store.begin() as conn:
        return lists_of_leads(conn, ids)


def _lead_decision(
    row: dict[str, Any],
    account: dict[str, Any] | None,
    lists: dict[str, frozenset[str]],
    version: Version,
    as_of: date,
    stored: bool,
) -> GateDecision:
    if account is not None:
        on = f"matched account {account['name']} ({account['id']})"
        fit = explain(account, version=version)
        basis = {"account_id": account["id"], **{k: account[k] for k in _ICP_READS},
                 "named_lists": account["named_lists"]}  # fmt: skip
    else:
        on = "the lead's own firmographics (no matched account)"
        fit = explain(row, version=version)
        basis = {k: row[k] for k in _ICP_READS} | {"named_lists": sorted(lists.get(row["id"], ()))}
    reasons = _describe(fit, version, on, as_of) | {"basis": basis}
    return GateDecision("leads", row["id"], reasons["decision"], reasons,
                        row["gate_status"] if stored else None)  # fmt: skip


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
    for rows, _ in _fitted_pages(store, _chosen(store, "accounts", batch_id), version):
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
            "pass --batch N (the import that created or changed them; see `onstrategy import "
            "batches`)",
        )
    version = strategy.version_on(as_of)
    classify = classify_leads if kind == "leads" else classify_accounts
    run = GateRun(kind, version.id, as_of)
    total = _count(store, kind, batch_id)
    for decisions in classify(store=store, version=version, as_of=as_of, batch_id=batch_id):
        _store(store, kind, decisions, run)
        if progress:
            progress(min(run.judged, total), total)
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


def regate_leads(
    *, store: Store, strategy: Strategy, as_of: date, batch_id: int, also: Sequence[str] = (),
    actor: str = "system",
) -> GateRun:  # fmt: skip
    """Judge again the leads accounts import ``batch_id`` reached — those judged on an
    account it created or changed, and ``also`` (leads it gave another account) — under the
    version in force on ``as_of``; store (and count) only those whose basis or judgement
    changed (a released one: only when its basis changed). Audited as ``gate.regate``."""
    version = strategy.version_on(as_of)
    run = GateRun("leads", version.id, as_of)
    judged = classify_leads(store=store, version=version, as_of=as_of, reached_by=batch_id,
                            also=also)  # fmt: skip
    for decisions in judged:
        _store(store, "leads", decisions, run)
    with store.begin() as conn:
        store.audit(
            conn, actor=actor, action="gate.regate", entity="accounts", entity_id=str(batch_id),
            details={"version": version.id, "as_of": as_of.isoformat(), **run.counts},
        )  # fmt: skip
    return run


def _store(store: Store, kind: str, decisions: list[GateDecision], run: GateRun) -> None:
    """Store the page's decisions; a released record only when judged again after release."""
    table = KINDS[kind]
    update = table.update().values(
        gate_status=sa.bindparam("b_status"), gate_reasons=sa.bindparam("b_reasons")
    )
    kept = update.where(table.c.id == sa.bindparam("b_id"), table.c.gate_status != "released")
    again = update.where(table.c.id == sa.bindparam("b_id"))
    for d in decisions:
        run.count(d)
    with store.begin() as conn:
        for statement, chosen in ((kept, False), (again, True)):
            params = [
                {"b_id": d.id, "b_status": d.status, "b_reasons": d.reasons}
                for d in decisions
                if ("after_release" in d.reasons) is chosen
            ]
            if params:
                conn.execute(statement, params)


def _count(store: Store, kind: str, batch_id: int | None) -> int:
    """How many records ``_chosen`` gives."""
    table = KINDS[kind]
    query = sa.select(sa.func.count()).select_from(table)
    if batch_id is not None:
        query = query.where(_of_batch(table, batch_id))
    if batch_id is None or kind != "leads":
        query = query.where(table.c.gate_status != "released")
    with store.begin() as conn:
        return int(conn.execute(query).scalar_one())


def _count_released(store: Store, kind: str, batch_id: int | None) -> int:
    table = KINDS[kind]
    query = sa.select(sa.func.count()).where(table.c.gate_status == "released")
    if batch_id is not None:
        query = query.where(_of_batch(table, batch_id))
    with store.begin() as conn:
        return int(conn.execute(query).scalar_one())


# ------------------------------------------------------------------ after a leads import


def after_leads_import(ctx: AfterImport) -> list[str]:
    """Gate the leads the import created or changed; with no strategy, say so and how to do
    it later. An import that wrote no lead (the same file again) judges nothing."""
    if _count(ctx.store, "leads", ctx.batch_id) == 0:
        return []
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
