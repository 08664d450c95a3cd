"""Stored calls: write one with its metrics, read them back, analyse them again.

``call`` holds the transcript and the whole analysis (JSON); ``call_metric`` holds the
numeric metrics the reports aggregate, in real columns, rewritten with every analysis.
Importing calls is :mod:`onstrategy.crm.calls`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.engines.conversation import ConsultativeTargets, analyze_call
from onstrategy.errors import NotFound, OnstrategyError
from onstrategy.ingest.transcripts import parse_transcript
from onstrategy.store import tables
from onstrategy.store.connect import Store

METRIC_COLUMNS = (
    "talk_ratio_basis", "talk_ratio", "questions", "questions_open", "open_question_share",
    "discovery_share", "insight_share", "pitch_share", "longest_monologue",
    "longest_monologue_basis", "duration_seconds",
)  # fmt: skip
_COMPARED = (
    "occurred_on", "owner_id", "account_id", "opportunity_id", "filename", "format",
    "transcript", "analysis", "consultative_score", "extra",
)  # fmt: skip


def write_call(conn: Connection, record: dict[str, Any], *, exists: bool) -> None:
    """Insert or update one call and its ``call_metric`` row."""
    call, metric = tables.call, tables.call_metric
    if exists:
        conn.execute(call.update().where(call.c.id == record["id"]).values(record))
    else:
        conn.execute(call.insert().values(record))
    conn.execute(metric.delete().where(metric.c.call_id == record["id"]))
    conn.execute(metric.insert().values(metric_row(record["id"], record["analysis"])))


def metric_row(call_id: str, analysis: dict[str, Any]) -> dict[str, Any]:
    """The numeric metrics the reports aggregate, from the stored analysis."""
    metrics = analysis["metrics"]
    row = {name: metrics.get(name) for name in METRIC_COLUMNS}
    row["insight_share"] = metrics.get("insight_share")
    return row | {"call_id": call_id, "strategy_version": analysis.get("strategy_version")}


def existing_calls(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        query = sa.select(tables.call).where(tables.call.c.id.in_(ids[start : start + 500]))
        found |= {row["id"]: dict(row) for row in conn.execute(query).mappings()}
    return found


def changed(before: dict[str, Any], record: dict[str, Any]) -> bool:
    for name in _COMPARED:
        old, new = before.get(name), record.get(name)
        if name in ("analysis", "extra"):
            if json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True):
                return True
        elif old != new:
            return True
    return False


def version_on(strategy: Any, day: date) -> Any:
    if strategy is None:
        return None
    try:
        return strategy.version_on(day)
    except OnstrategyError:
        return None  # before the first version: the built-in targets apply


# ----------------------------------------------------------------------------- reanalyse


@dataclass
class ReanalyzeResult:
    read: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)  # id, before, after, version
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "changed": self.changed, "unchanged": self.unchanged}


def reanalyze_calls(
    *, store: Store, strategy: Any, call_ids: Iterable[str] | None = None, actor: str = "cli"
) -> ReanalyzeResult:
    """Analyse stored calls again (after the targets or the engine changed), keeping roles."""
    result = ReanalyzeResult()
    with store.begin() as conn:
        for row in _stored(conn, call_ids):
            result.read += 1
            record = _reanalysed(row, strategy)
            if not changed(row, record):
                result.unchanged += 1
                continue
            write_call(conn, record | {"analysed_at": datetime.now(UTC)}, exists=True)
            result.changed.append(
                {
                    "id": row["id"],
                    "before": row["consultative_score"],
                    "after": record["consultative_score"],
                    "strategy_version": record["analysis"]["strategy_version"],
                }
            )
        store.audit(
            conn,
            actor=actor,
            action="reanalyze",
            entity="call",
            entity_id=None,
            details={"read": result.read, "changed": len(result.changed)},
        )
    return result


def _stored(conn: Connection, call_ids: Iterable[str] | None) -> Iterator[dict[str, Any]]:
    query = sa.select(tables.call).order_by(tables.call.c.id)
    if call_ids is not None:
        wanted = list(call_ids)
        query = query.where(tables.call.c.id.in_(wanted))
        found = {
            r[0]
            for r in conn.execute(sa.select(tables.call.c.id).where(tables.call.c.id.in_(wanted)))
        }
        if missing := [c for c in wanted if c not in found]:
            raise NotFound(f"no call {', '.join(missing)}", "see `onstrategy calls list`")
    for row in list(conn.execute(query).mappings()):
        yield dict(row)


def _reanalysed(row: dict[str, Any], strategy: Any) -> dict[str, Any]:
    transcript = parse_transcript(row["transcript"], fmt=row["format"], source=row["filename"])
    version = version_on(strategy, row["occurred_on"]) if row["occurred_on"] else None
    targets = version.consultative if version is not None else ConsultativeTargets()
    roles = (row["analysis"] or {}).get("speakers") or None
    analysis = analyze_call(transcript, seller_role_by_speaker=roles, targets=targets)
    data = analysis.to_dict() | {"strategy_version": version.id if version else None}
    return row | {
        "analysis": json.loads(json.dumps(data)),
        "consultative_score": float(analysis.score),
    }


# ----------------------------------------------------------------------------- reading


def list_calls(
    *,
    store: Store,
    rep: str | None = None,
    opportunity_id: str | None = None,
    account_id: str | None = None,
    call_id: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Stored calls, newest first, with rep, account and deal names and the main metrics."""
    call, metric, user = tables.call, tables.call_metric, tables.user
    acct, opp = tables.account, tables.opportunity
    query = (
        sa.select(call.c.id, call.c.occurred_on, call.c.owner_id, user.c.name.label("rep"),
                  call.c.account_id, acct.c.name.label("account"), call.c.opportunity_id,
                  opp.c.name.label("opportunity"), call.c.filename, call.c.format,
                  call.c.consultative_score, *(metric.c[c] for c in METRIC_COLUMNS))
        .select_from(call.outerjoin(metric, metric.c.call_id == call.c.id)
                     .outerjoin(user, user.c.id == call.c.owner_id)
                     .outerjoin(acct, acct.c.id == call.c.account_id)
                     .outerjoin(opp, opp.c.id == call.c.opportunity_id))
        .order_by(call.c.occurred_on.desc(), call.c.id)
    )  # fmt: skip
    with store.begin() as conn:
        if rep:
            query = query.where(call.c.owner_id == _user_id(conn, rep))
        if opportunity_id:
            query = query.where(call.c.opportunity_id == opportunity_id)
        if account_id:
            query = query.where(call.c.account_id == account_id)
        if call_id:
            query = query.where(call.c.id == call_id)
        if limit:
            query = query.limit(limit)
        return [dict(row) for row in conn.execute(query).mappings()]


def get_call(*, store: Store, call_id: str) -> dict[str, Any]:
    """One call: links, metrics, score reasons and the analysed utterances."""
    found = list_calls(store=store, call_id=call_id)
    if not found:
        raise NotFound(f"no call {call_id!r}", "see `onstrategy calls list`")
    with store.begin() as conn:
        query = sa.select(tables.call.c.analysis, tables.call.c.analysed_at, tables.call.c.extra)
        stored = conn.execute(query.where(tables.call.c.id == call_id)).mappings().one()
    return found[0] | dict(stored)


def _user_id(conn: Connection, text: str) -> str:
    user = tables.user
    lowered = text.strip().lower()
    query = sa.select(user.c.id).where(sa.or_(
        sa.func.lower(user.c.id) == lowered, sa.func.lower(user.c.email) == lowered,
        sa.func.lower(user.c.name) == lowered))  # fmt: skip
    found = conn.execute(query).scalars().first()
    if found is None:
        raise NotFound(f"no user {text!r}", "name a rep by user id, email or full name")
    return str(found)
