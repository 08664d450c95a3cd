"""The named lists a lead is on: one rule for the gate, the reports, routing and exceptions.

A lead is on a named list when

- its matched account (``lead.account_id``) is an entry of the list
  (``named_list_entry.account_id``), or
- its company is a white-space entry of the list (no account in the CRM yet), which lead
  matching records in ``lead_list_match`` (:mod:`onstrategy.crm.lead_matching`; it keeps
  such rows only for leads without an account, so a matched lead is on exactly its
  account's lists).

The rule has two forms, held equal by a test:

- :func:`lead_named_lists` — Ibis, for set-based work (the intake gate, the reports):
  one row per (lead, list); :func:`lead_list_entries` is the same rows shaped as
  ``fit_table``'s ``list_entries`` for leads (``key="id"``);
- :func:`lists_of_lead` — one indexed query for one lead, for routing's single decision
  (:func:`lists_of_leads`: the same for a page of leads);
- :func:`lead_list_memberships` — the same lists for one lead with how it is on each (its
  account X is entry Y, or its own company matches white-space entry Y), for
  ``onstrategy matches show``.

Lead matching writes the white-space rows with :func:`list_indexes` and
:func:`store_list_matches`.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.engines.matching import AccountIndex, MatchRecord, MatchResult
from onstrategy.store import tables
from onstrategy.store.connect import Store

_TEXT = "string"  # one nullable type on both sides, as a union needs
_ENTRY, _OWN = tables.named_list_entry, tables.lead_list_match
_LISTS_OF_LEAD = sa.union(
    sa.select(_ENTRY.c.list_id).where(_ENTRY.c.account_id == sa.bindparam("account_id")),
    sa.select(_OWN.c.list_id).where(_OWN.c.lead_id == sa.bindparam("lead_id")),
)


def lead_named_lists(store: Store) -> ir.Table:
    """(lead_id, list_id) for every lead on a named list, by its account or its own company."""
    lead, entries, own = (
        store.table(name) for name in ("lead", "named_list_entry", "lead_list_match")
    )
    linked = lead.filter(lead.account_id.notnull()).select(lead.id, lead.account_id)
    listed = entries.filter(entries.account_id.notnull()).select("list_id", "account_id")
    via_account = linked.join(listed, "account_id")
    via_account = via_account.select(
        lead_id=via_account.id.cast(_TEXT), list_id=via_account.list_id.cast(_TEXT)
    )
    white_space = own.select(lead_id=own.lead_id.cast(_TEXT), list_id=own.list_id.cast(_TEXT))
    return via_account.union(white_space, distinct=True)


def lead_list_entries(store: Store) -> ir.Table:
    """:func:`lead_named_lists` as ``fit_table`` reads list entries (the lead id in
    ``account_id``): pass it with ``key="id"`` to score leads on their own."""
    lists = lead_named_lists(store)
    return lists.select(list_id=lists.list_id, account_id=lists.lead_id)


def lists_of_lead(conn: Connection, *, lead_id: str, account_id: str | None) -> frozenset[str]:
    """The named lists one lead is on (``account_id``: its matched account, if any)."""
    params = {"lead_id": lead_id, "account_id": account_id}
    return frozenset(str(x) for x in conn.execute(_LISTS_OF_LEAD, params).scalars())


def lists_of_leads(conn: Connection, lead_ids: list[str]) -> dict[str, frozenset[str]]:
    """:func:`lists_of_lead` for many leads at once (two indexed queries per 500 leads)."""
    lead, found = tables.lead, dict[str, set[str]]()
    for start in range(0, len(lead_ids), 500):
        part = lead_ids[start : start + 500]
        via_account = sa.select(lead.c.id, _ENTRY.c.list_id).join_from(
            lead, _ENTRY, _ENTRY.c.account_id == lead.c.account_id
        )
        queries = (
            via_account.where(lead.c.id.in_(part)),
            sa.select(_OWN.c.lead_id, _OWN.c.list_id).where(_OWN.c.lead_id.in_(part)),
        )
        for query in queries:
            for lead_id, list_id in conn.execute(query):
                found.setdefault(str(lead_id), set()).add(str(list_id))
    return {lead_id: frozenset(lists) for lead_id, lists in found.items()}


def lead_list_memberships(
    conn: Connection, *, lead_id: str, account_id: str | None
) -> list[dict[str, Any]]:
    """Every list the lead is on (:func:`lists_of_lead`'s lists) with how, in words: through
    its account (the list entry the account is) or its own company (the white-space entry it
    matches, with the score and the matching engine's reasons)."""
    found = [*_via_account(conn, account_id), *_own_company(conn, lead_id)]
    return sorted(found, key=lambda m: (m["list_id"], m["how"], m["entry_id"]))


def _via_account(conn: Connection, account_id: str | None) -> list[dict[str, Any]]:
    if account_id is None:
        return []
    a = tables.account
    query = (
        sa.select(_ENTRY.c.list_id, _ENTRY.c.id, _ENTRY.c.name, a.c.name.label("account"))
        .join_from(_ENTRY, a, a.c.id == _ENTRY.c.account_id)
        .where(_ENTRY.c.account_id == account_id)
    )
    return [
        {
            "list_id": str(r.list_id), "how": "account", "entry_id": r.id,
            "entry_name": r.name, "account_id": account_id, "account_name": r.account,
            "score": None, "reasons": [],
            "why": f"its account {r.account} ({account_id}) is entry #{r.id} {r.name!r}",
        }
        for r in conn.execute(query)
    ]  # fmt: skip


def _own_company(conn: Connection, lead_id: str) -> list[dict[str, Any]]:
    query = (
        sa.select(_OWN.c.list_id, _OWN.c.entry_id, _OWN.c.score, _OWN.c.reasons, _ENTRY.c.name)
        .join_from(_OWN, _ENTRY, _ENTRY.c.id == _OWN.c.entry_id, isouter=True)
        .where(_OWN.c.lead_id == lead_id)
    )
    return [
        {
            "list_id": str(r.list_id), "how": "own_company", "entry_id": r.entry_id,
            "entry_name": r.name, "account_id": None, "account_name": None,
            "score": r.score, "reasons": list(r.reasons or []),
            "why": f"its own company matches entry #{r.entry_id} {r.name!r} (score "
            f"{r.score:.0f}), a company with no account in the CRM yet",
        }
        for r in conn.execute(query)
    ]  # fmt: skip


# ------------------------------------------------------------------ writing (lead matching)


def list_indexes(store: Store) -> dict[str, AccountIndex]:
    """Per list, its white-space entries (no account yet): a lead can still be on the list."""
    e = tables.named_list_entry
    names = ["list_id", "name", "domain", "website", "city", "state", "country"]
    query = sa.select(e.c.id, *(e.c[n] for n in names)).where(e.c.account_id.is_(None))
    by_list: dict[str, list[MatchRecord]] = {}
    with store.begin() as conn:
        for row in conn.execute(query).mappings():
            record = MatchRecord(str(row["id"]), **{n: row[n] for n in names[1:]})
            by_list.setdefault(row["list_id"], []).append(record)
    return {list_id: AccountIndex.build(records) for list_id, records in by_list.items()}


def store_list_matches(
    conn: Connection, pairs: list[tuple[MatchRecord, MatchResult]], lists: dict[str, AccountIndex]
) -> None:
    """Replace the white-space rows of these leads: one with no account (``none``) that
    matches a white-space entry of a list is on that list."""
    llm = tables.lead_list_match
    conn.execute(llm.delete().where(llm.c.lead_id.in_([r.id for r, _ in pairs])))
    rows = []
    for record, result in pairs:
        if result.status != "none":
            continue
        for list_id, index in lists.items():
            found = index.match(record)
            if found.status == "matched" and found.to_id is not None:
                rows.append(
                    {
                        "lead_id": record.id,
                        "list_id": list_id,
                        "score": found.score,
                        "entry_id": int(found.to_id),
                        "reasons": list(found.reasons),
                    }
                )
    if rows:
        conn.execute(llm.insert(), rows)
