"""What a lead was judged on (its gate ``basis``), and when the intake gate judges it again.

Each lead decision of the gate (:mod:`onstrategy.engines.gate`) keeps the basis it was
judged on: the industry, employees, revenue, country, state and named lists — of its
matched account (with the account's id), or its own. A released lead is judged again only
when that basis changed; the new decision keeps the release under ``after_release`` with
what changed. When an accounts import reaches leads (``again``), any lead is judged again
only when its basis or its judgement changed, and a lead never judged is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from onstrategy.store import tables
from onstrategy.store.connect import Store

if TYPE_CHECKING:
    from onstrategy.engines.gate import GateDecision

_JUDGEMENT = ("decision", "score", "tier", "segment", "failed", "met")


def after_release(
    store: Store, decisions: Iterable[GateDecision], again: bool = False
) -> Iterator[GateDecision | None]:
    """A released lead stays released (None) unless what the ICP reads of it changed since
    it was judged; then its new decision keeps the release and what changed. ``again``
    (:func:`onstrategy.engines.gate.regate_leads`): any other lead too is left as it was
    unless its basis or its judgement changed, and one never judged is left alone."""
    decisions = list(decisions)
    wanted = [d.id for d in decisions if again or d.was == "released"]
    stored = _stored_reasons(store, wanted)
    for decision in decisions:
        before = stored.get(decision.id)
        if decision.was == "released":
            changed = basis_changes((before or {}).get("basis"), decision.reasons["basis"])
            after = {"release": (before or {}).get("release"), "changed": changed}
            yield replace(decision, reasons=decision.reasons | {"after_release": after}) \
                if changed else None  # fmt: skip
        elif again:
            yield decision if before and _judged_anew(before, decision.reasons) else None
        else:
            yield decision


def _judged_anew(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether what the ICP reads of a lead, or its judgement, changed since ``before``."""
    judgement = any(before.get(k) != now.get(k) for k in _JUDGEMENT)
    return judgement or bool(basis_changes(before.get("basis"), now["basis"]))


def _stored_reasons(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    lead = tables.lead
    query = sa.select(lead.c.id, lead.c.gate_reasons).where(lead.c.id.in_(ids))
    with store.begin() as conn:
        return {i: dict(r or {}) for i, r in conn.execute(query)}


def basis_changes(before: Any, now: dict[str, Any]) -> list[str]:
    """What changed in what the ICP reads, in words (none when no basis was kept)."""
    if not isinstance(before, dict):
        return []
    if set(before) == {"account_id"}:  # kept before the basis held the account's firmographics
        now = {"account_id": now.get("account_id")}
    keys = sorted(set(before) | set(now))
    return [
        f"{k}: {before.get(k)!r} -> {now.get(k)!r}" for k in keys if before.get(k) != now.get(k)
    ]
