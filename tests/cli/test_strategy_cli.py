"""`onstrategy strategy ...` as a RevOps admin uses it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onstrategy.cli.main import app

SMALL = Path(__file__).resolve().parents[1] / "data" / "strategy_small.yaml"
runner = CliRunner()


def test_check_valid_file() -> None:
    result = runner.invoke(app, ["strategy", "check", str(SMALL)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "v1" in result.output
    assert "v2" in result.output


def test_check_invalid_file_lists_problems_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SMALL.read_text().replace("rep: bo,", "rep: jdoe,", 1).replace("min: 500", "min: -5")
    )
    result = runner.invoke(app, ["strategy", "check", str(bad)])
    assert result.exit_code == 1
    assert "2 problems" in result.output
    assert "unknown rep 'jdoe'" in result.output
    assert "employees.min" in result.output
    assert "Hint:" in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["strategy", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "not found" in result.output


def test_show_as_of_picks_the_version(tmp_path: Path) -> None:
    before = runner.invoke(app, ["strategy", "show", str(SMALL), "--as-of", "2025-06-01", "--json"])
    after = runner.invoke(app, ["strategy", "show", str(SMALL), "--as-of", "2026-06-01", "--json"])
    assert json.loads(before.output)["id"] == "v1"
    assert json.loads(after.output)["id"] == "v2"
    bad = runner.invoke(app, ["strategy", "show", str(SMALL), "--as-of", "June"])
    assert bad.exit_code == 1
    assert "YYYY-MM-DD" in bad.output


def test_diff_json() -> None:
    result = runner.invoke(app, ["strategy", "diff", str(SMALL), "v1", "v2", "--json"])
    assert result.exit_code == 0
    paths = {c["path"] for c in json.loads(result.output)}
    assert "offerings.managed" in paths
    unknown = runner.invoke(app, ["strategy", "diff", str(SMALL), "v1", "v9"])
    assert unknown.exit_code == 1
    assert "known versions: v1, v2" in unknown.output
