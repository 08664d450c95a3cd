"""A book of business cut to the viewer: who may open an account, which of its deals they
see. The read models themselves live in :mod:`onstrategy.reports.books`, shared with the
CLI and the tests; ``one`` and ``people`` are re-exported for the other page modules.
"""

from __future__ import annotations

from typing import Any

from onstrategy.reports.books import deal_owners_on_account, people, record
from onstrategy.store.connect import Store
from onstrategy.web.scope import Viewer

__all__ = ["may_see_account", "one", "people", "visible_deals"]


def one(store: Store, table: str, record_id: str, what: str) -> dict[str, Any]:
    """One record by id, or ``NotFound`` naming ``what`` (:func:`reports.books.record`)."""
    return record(store=store, table=table, record_id=record_id, what=what)


def may_see_account(store: Store, viewer: Viewer, account: dict[str, Any]) -> None:
    """Refuse an account the viewer may not open: one neither they (or their team) own nor
    hold a deal on."""
    if viewer.sees_all or viewer.may_see_rep(account.get("owner_id")):
        return
    dealers = deal_owners_on_account(store=store, account_id=account["id"])
    if not any(viewer.may_see_rep(o) for o in dealers):
        viewer.require_rep(account.get("owner_id"), f"account {account['id']}")


def visible_deals(viewer: Viewer, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deals whose owner the viewer may see."""
    return [d for d in deals if viewer.may_see_rep(d["owner_id"])]
