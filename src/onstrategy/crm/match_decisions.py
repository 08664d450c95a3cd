"""A person's match decisions, and when a re-import makes one out of date.

An admin or manager who resolves a review item (``onstrategy matches review``) decides
which account a lead belongs to (``lead.match_status = "manual"``). The decision is about a
company: the lead's company name and domain at that moment are kept with it
(``lead.match_basis``). What a RevOps admin can expect after a later import of the CRM
export:

- the decision stands while the company stays the same: a re-import that changes the
  lead's phone, title, status, owner or address — or only the spelling of the company
  ("ACME Inc." and "Acme" normalise alike) — never touches it;
- a re-import that changes the company name or the domain (website, or company email)
  makes it a decision about another company: the lead is matched again by the engine
  (an ambiguous answer goes back to the review queue), its reasons start with whose
  decision it replaces and what changed, the audit log gets a ``match.reopen`` entry with
  the old account, and the import's note counts them;
- decisions recorded before ``match_basis`` existed have no basis to compare: they are kept;
- ``onstrategy matches run`` never re-opens a decision, whatever changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.engines.matching import MatchResult
from onstrategy.engines.names import normalize_company_name
from onstrategy.store import tables
from onstrategy.store.connect import Store


def decision_basis(conn: Connection, lead_id: str) -> dict[str, Any] | None:
    """What a decision on ``lead_id`` is taken on: its company name and domain now."""
    lead = tables.lead
    query = sa.select(lead.c.company, lead.c.domain).where(lead.c.id == lead_id)
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def reopen_out_of_date(store: Store, batch_id: int, actor: str) -> dict[str, str]:
    """The person-made matches of the batch's leads whose company or domain the import
    changed: made matchable again (audit-logged). Returns lead id → why, for the reasons."""
    lead = tables.lead
    names = ("id", "account_id", "company", "domain", "match_basis", "match_reasons")
    query = sa.select(*(lead.c[n] for n in names)).where(
        lead.c.last_batch_id == batch_id, lead.c.match_status == "manual"
    )
    reopened: dict[str, str] = {}
    with store.begin() as conn:
        for row in conn.execute(query).mappings():
            changed = _basis_changes(row["match_basis"], row["company"], row["domain"])
            if not changed:
                continue
            decided = "; ".join(row["match_reasons"] or []) or "a person's match"
            reopened[row["id"]] = (
                f"matched again: the import changed the {' and the '.join(changed)} since "
                f"a person's decision ({decided})"
            )
            _reopen(conn, store, row, changed, actor)
    return reopened


def _basis_changes(basis: Any, company: str | None, domain: str | None) -> list[str]:
    """What changed in the company a decision was taken on (none when it has no basis)."""
    if not isinstance(basis, dict):
        return []
    changed = []
    then, now = basis.get("company"), company
    if normalize_company_name(then or "") != normalize_company_name(now or ""):
        changed.append(f"company {_shown(then)} -> {_shown(now)}")
    if (basis.get("domain") or None) != (domain or None):
        changed.append(f"domain {basis.get('domain') or '(none)'} -> {domain or '(none)'}")
    return changed


def _shown(name: str | None) -> str:
    return repr(name) if name else "(none)"


def _reopen(conn: Connection, store: Store, row: Any, changed: list[str], actor: str) -> None:
    lead = tables.lead
    values = {"match_status": None, "match_basis": sa.null()}
    conn.execute(lead.update().where(lead.c.id == row["id"]).values(values))
    was = {"account_id": row["account_id"], "reasons": row["match_reasons"]}
    details = {"changed": changed, "was": was}
    store.audit(
        conn, actor=actor, action="match.reopen", entity="lead", entity_id=row["id"],
        details=details,
    )  # fmt: skip


def noted(result: MatchResult, reopened: dict[str, str]) -> MatchResult:
    """The engine's result, its reasons led by why a person's decision was re-opened."""
    why = reopened.get(result.from_id)
    return replace(result, reasons=(why, *result.reasons)) if why else result
