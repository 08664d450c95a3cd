"""Docs are run: the README's commands exist and the generated references are current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import typer
import typer.main

from onstrategy.cli.main import app

REPO = Path(__file__).resolve().parents[1]


def generated_cli_reference(tmp_path: Path) -> str:
    out = tmp_path / "cli.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "onstrategy.cli.main",
            "utils",
            "docs",
            "--name",
            "onstrategy",
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out.read_text(encoding="utf-8")


def test_cli_reference_is_current(tmp_path: Path) -> None:
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == generated_cli_reference(tmp_path), "run `make docs`"


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```console", 1)[1].split("```", 1)[0]
    assert "make demo" in first_block
    assert "make test" in first_block
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M)
    assert re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


ROOT_OPTIONS_WITH_VALUES = {"--strategy", "--database-url"}


def _command_path(text: str) -> list[str] | None:
    """The sub-command words of one `onstrategy ...` invocation (at most two)."""
    words = text.split("#")[0].split()
    if words[:1] != ["onstrategy"]:
        return None
    rest = words[1:]
    while rest and rest[0] in ROOT_OPTIONS_WITH_VALUES:
        rest = rest[2:]
    path = []
    for word in rest[:2]:
        if word.startswith("-"):
            break
        path.append(word)
    return path


def _exists(path: list[str]) -> bool:
    """The first word is a command; if it is a group, the second is one of its commands."""
    root = typer.main.get_command(app)
    command = root.commands.get(path[0])  # type: ignore[attr-defined]
    if command is None:
        return False
    subcommands = getattr(command, "commands", None)
    if subcommands and len(path) > 1 and not path[1].isupper():
        return path[1] in subcommands
    return True


def test_every_command_in_the_readme_tour_exists() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", readme, re.S)
    checked = 0
    for part in re.split(r"[;|\n]", "\n".join(blocks)):
        path = _command_path(part.strip())
        if path:
            assert _exists(path), f"README names a command that does not exist: {part.strip()}"
            checked += 1
    assert checked > 15
    assert not _exists(["strategy", "bogus"])
