"""`onstrategy demo run` — what `make demo` runs — end to end, small."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app

runner = CliRunner()


@pytest.mark.slow
def test_demo_run_imports_reports_and_can_run_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # the HTML report goes under ./var/reports
    args = [
        "--database-url",
        f"sqlite:///{tmp_path / 'demo.db'}",
        "demo",
        "run",
        "--out",
        str(tmp_path / "exports"),
        "--scale",
        "0.1",
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Strategy execution — TechDistro" in first.output
    assert "list fortune-1000:" in first.output
    assert "intake gate" in first.output
    html = Path(re.search(r"HTML report: (\S+)", first.output).group(1))
    assert html.is_file()
    assert "vegaEmbed" in html.read_text(encoding="utf-8")
    assert "passwords shown once" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    table = second.output.split("The demo company's CRM exports")[1].split("list fortune")[0]
    new_or_updated = re.findall(r"│ \w+\s+│ (\d[\d,]*)\s+│ (\d[\d,]*)\s+│", table)
    assert new_or_updated
    assert all(n == "0" and u == "0" for n, u in new_or_updated)
    assert "passwords shown once" not in second.output
