"""One description of a strategy version for `onstrategy strategy show` and the Strategy
page; uploaded strategy documents kept, refused twice, audit-logged (both databases)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from rich.console import Console
from typer.testing import CliRunner

from onstrategy.cli import strategy as strategy_cli
from onstrategy.cli.main import app as cli
from onstrategy.demo import strategy_text
from onstrategy.errors import Conflict, InvalidInput, StrategyInvalid
from onstrategy.reports.strategy_docs import strategy_summary, uploads, version_summary
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.documents import keep_document
from onstrategy.strategy.load import parse_strategy

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_strategy_show_prints_the_summary_the_strategy_page_shows():
    strategy = parse_strategy(strategy_text(), source="demo")
    version = strategy.version_on(date(2026, 6, 1))
    summary = version_summary(version)
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(strategy_cli._tree(version))  # what `strategy show --as-of` prints
    shown = console.export_text()
    assert shown.startswith(f"{summary['id']} in force from {summary['effective_from']}")
    for segment in summary["segment_rules"]:
        assert f"{segment['name']}: {segment['rule']}" in shown
    for offering in summary["approvers"]:
        assert f"{offering['name']} (" in shown
        assert "approved by " + "; ".join(offering["approved_by"]) in shown
    assert summary["segments"] == [s["name"] for s in summary["segment_rules"]]


def test_strategy_show_runs_on_a_file(tmp_path):
    path = tmp_path / "strategy.yaml"
    path.write_text(strategy_text(), encoding="utf-8")
    done = CliRunner().invoke(cli, ["strategy", "show", str(path), "--as-of", "2026-06-01"])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("fy26-services in force from 2025-12-01")


def test_the_summary_marks_the_version_in_force_and_says_its_rules():
    strategy = parse_strategy(strategy_text(), source="demo")
    first, last = strategy.versions[0], strategy.versions[-1]
    assert strategy_summary(strategy=strategy, as_of=last.effective_from)["in_force"] == last.id
    before = strategy_summary(strategy=strategy, as_of=date(2000, 1, 1))
    assert before["in_force"] is None
    assert [v["id"] for v in before["versions"]] == [first.id, last.id]
    rules = {s["name"]: s["rule"] for s in before["versions"][0]["segment_rules"]}
    assert rules["Fortune 1000"] == "on list fortune-1000"
    assert "employees ≥ 500" in rules["Mid-market and enterprise in core industries"]
    assert before["versions"][0]["costs"]["currency"] == strategy.currency


def test_an_upload_is_kept_once_with_its_versions_and_audited(store: Store) -> None:
    content = strategy_text().encode("utf-8")
    kept = keep_document(store=store, content=content, filename="s.yaml", actor="a1", now=NOW)
    assert kept["versions"] == ["fy25-hardware", "fy26-services"]
    with pytest.raises(Conflict, match=f"uploaded already \\(document {kept['id']}\\)"):
        keep_document(store=store, content=content, filename="again.yaml", actor="a1", now=NOW)
    [listed] = uploads(store=store)
    assert (listed["id"], listed["sha256"], listed["uploaded_by"]) == (
        kept["id"],
        kept["sha256"],
        "a1",
    )
    log = tables.audit_log
    with store.begin() as conn:
        audited = conn.execute(
            sa.select(log.c.actor, log.c.entity_id).where(log.c.action == "strategy.upload")
        ).all()
    assert [tuple(r) for r in audited] == [("a1", str(kept["id"]))]


def test_a_bad_upload_says_what_is_wrong_and_keeps_nothing(store: Store) -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        keep_document(store=store, content=b"\xff\xfe", filename="s.yaml", actor="a1", now=NOW)
    broken = strategy_text().replace("effective_from: 2024-12-01", "effective_from: soon")
    with pytest.raises(StrategyInvalid) as err:
        keep_document(store=store, content=broken.encode(), filename="s.yaml", actor="a1", now=NOW)
    assert err.value.problems[0].where.startswith("versions[0].effective_from")
    assert uploads(store=store) == []
