"""The HTML report opens offline in a real browser and draws its charts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app

pytestmark = pytest.mark.browser


@pytest.fixture
def report_file(demo_sqlite_template: Path, demo_files: dict[str, Path], tmp_path: Path) -> Path:
    """The report of the demo company (one backend is enough for the page itself)."""
    database = tmp_path / "demo.db"
    shutil.copy(demo_sqlite_template, database)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "--database-url",
            f"sqlite:///{database}",
            "--strategy",
            str(demo_files["strategy"]),
            "report",
            "--from",
            "2025-12-01",
            "--to",
            "2026-11-30",
            "--html",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_report_opens_offline_and_draws_its_charts(page, report_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_file.as_uri())
    page.wait_for_selector("#chart-company svg", timeout=15000)
    page.wait_for_selector("#chart-reps svg", timeout=15000)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    pipeline = page.locator('.card[data-metric="pipeline"] .big').inner_text()
    assert pipeline.endswith("%")
    marks = page.locator("#chart-reps svg path, #chart-reps svg rect").count()
    assert marks > 10  # one bar per rep at least
    assert page.locator("table#accounts tbody tr").count() > 20
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)


def test_report_explains_account_scores(page, report_file: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(report_file.as_uri())
    first_reason = page.locator("table#accounts tbody tr").first.locator("li").first.inner_text()
    assert "pts" in first_reason
    assert any(word in first_reason for word in ("is a target", "range", "list", "area"))
