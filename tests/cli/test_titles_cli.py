"""`onstrategy titles classify`: JSON lines from stdin or arguments, and bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from onstrategy.cli.main import app

runner = CliRunner()


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_stdin_titles_become_one_json_object_per_line_in_order() -> None:
    result = runner.invoke(
        app, ["titles", "classify"], input="SVP & CIO\nPurchasing Agent\nHead of Procurement\n"
    )
    assert result.exit_code == 0, result.output
    assert _lines(result.output) == [
        {"title": "SVP & CIO", "seniority": "executive", "function": "it"},
        {"title": "Purchasing Agent", "seniority": "staff", "function": "procurement"},
        {"title": "Head of Procurement", "seniority": "director", "function": "procurement"},
    ]


def test_blank_lines_are_skipped_and_titles_trimmed() -> None:
    result = runner.invoke(app, ["titles", "classify"], input="\n  IT Manager  \r\n\n   \nBuyer")
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in _lines(result.output)] == ["IT Manager", "Buyer"]


def test_titles_as_arguments_with_reasons() -> None:
    result = runner.invoke(app, ["titles", "classify", "VP Sales", "Owner", "--reasons"])
    assert result.exit_code == 0, result.output
    rows = _lines(result.output)
    assert [(r["seniority"], r["function"]) for r in rows] == [
        ("vp", "sales"),
        ("executive", "executive"),
    ]
    assert "seniority vp: 'vice president'" in rows[0]["reasons"]  # type: ignore[operator]


def test_byte_order_mark_and_non_ascii_titles_are_read() -> None:
    data = "\ufeffDirector de Compras\nResponsable achats — Acheteur\n".encode()
    result = runner.invoke(app, ["titles", "classify"], input=data)
    assert result.exit_code == 0, result.output
    assert _lines(result.output)[0]["title"] == "Director de Compras"
    assert "—" in str(_lines(result.output)[1]["title"])


def test_empty_input_prints_nothing() -> None:
    result = runner.invoke(app, ["titles", "classify"], input="")
    assert (result.exit_code, result.output) == (0, "")


def test_non_utf8_input_is_a_user_error_not_a_traceback() -> None:
    result = runner.invoke(app, ["titles", "classify"], input=b"Buyer\n\xff\xfe\xfa\n")
    assert result.exit_code == 1
    assert "Error: line 2 of standard input is not UTF-8 text" in result.output
    assert "Hint:" in result.output
    assert "Traceback" not in result.output
