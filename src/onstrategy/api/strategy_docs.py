"""The Strategy page and strategy uploads (admins; audit-logged).

The server reads the strategy file it was started with (``--strategy`` /
``ONSTRATEGY_STRATEGY_FILE``); without one, it uses the latest uploaded document. The page
describes each version as ``onstrategy strategy show`` does
(:func:`onstrategy.reports.strategy_docs.strategy_summary`); an upload is validated and
kept by :func:`onstrategy.strategy.documents.keep_document`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from onstrategy.api.params import Period, presets
from onstrategy.reports.strategy_docs import strategy_summary, uploads
from onstrategy.strategy.documents import keep_document
from onstrategy.strategy.model import Strategy
from onstrategy.web.scope import Viewer
from onstrategy.web.state import NoStrategy, WebState


def strategy_page(state: WebState, viewer: Viewer, period: Period) -> dict[str, Any]:
    """The strategy in force: its versions, goals and segments, where it comes from."""
    try:
        strategy: Strategy | None = state.strategy()
    except NoStrategy:
        strategy = None
    file = state.settings.strategy_file
    summary = strategy_summary(strategy=strategy, as_of=period.date_to) if strategy else None
    kept = uploads(store=state.store)
    return {
        "viewer": viewer.as_dict(),
        "query": period.query(),
        "presets": presets(period.today),
        "strategy": {
            "name": strategy.name if strategy else None,
            "versions": [
                {"id": v.id, "effective_from": v.effective_from} for v in strategy.versions
            ]
            if strategy
            else [],
        },
        "currency": strategy.currency if strategy else None,
        "source": {
            "file": str(file) if file else None,
            "document": None if file else next(iter(kept), None),
        },
        "in_force": summary["in_force"] if summary else None,
        "versions": summary["versions"] if summary else [],
        "uploads": kept,
        "can_upload": viewer.role == "admin",
        "uploads_used": file is None,
    }


def upload(state: WebState, viewer: Viewer, *, content: bytes, filename: str) -> dict[str, Any]:
    """Validate and keep an uploaded strategy file (admins)."""
    viewer.require_role(("admin",), "upload a strategy")
    kept = keep_document(
        store=state.store,
        content=content,
        filename=filename,
        actor=viewer.id,
        now=datetime.now(UTC),
    )
    return {**kept, "in_use": state.settings.strategy_file is None}
