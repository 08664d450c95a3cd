"""Read a strategy file and report every problem at once, each with its path, line and a hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from onstrategy.errors import InvalidInput, Problem, StrategyInvalid
from onstrategy.strategy.model import Strategy

_HINTS = {
    "extra_forbidden": "remove it, or check its spelling against the JSON Schema",
    "missing": "add this key",
    "date_from_datetime_parsing": "write dates as YYYY-MM-DD",
    "date_parsing": "write dates as YYYY-MM-DD",
    "date_type": "write dates as YYYY-MM-DD",
    "literal_error": "use one of the values listed",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
    "too_short": "add at least one entry",
    "string_pattern_mismatch": "use letters, digits, '-', '_' or '.' only",
}


def format_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _line_of(root: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        return next((v for k, v in node.value if getattr(k, "value", None) == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


class _Loader(yaml.SafeLoader):
    """Safe YAML, but dates stay text so pydantic reports a bad one with its path."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    try:
        return yaml.load(text, Loader=_Loader), yaml.compose(text, Loader=_Loader)  # noqa: S506
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(err, "problem", None) or str(err)
        raise StrategyInvalid(
            source, [Problem(where, f"not valid YAML: {problem}", "check indentation and quoting")]
        ) from None


def problems_from_validation(err: ValidationError, root: yaml.Node | None) -> list[Problem]:
    problems = []
    for item in err.errors():
        loc = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
        line = _line_of(root, loc)
        where = format_path(loc) + (f" (line {line})" if line else "")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(Problem(where, message, _HINTS.get(item["type"], "")))
    return problems


def _locate(problem: Problem, root: yaml.Node | None) -> Problem:
    """Add the line number to a problem found by a cross-check."""
    import re

    loc: list[str | int] = []
    for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", problem.where):
        loc.append(int(index) if index else name)
    line = _line_of(root, tuple(loc))
    where = problem.where + (f" (line {line})" if line else "")
    return Problem(where, problem.message, problem.hint)


def parse_strategy(text: str, *, source: str = "strategy.yaml") -> Strategy:
    """Validate strategy YAML text; raise StrategyInvalid listing every problem."""
    from onstrategy.strategy.check import cross_check

    data, root = _parse_yaml(text, source)
    if not isinstance(data, dict):
        raise StrategyInvalid(
            source,
            [
                Problem(
                    "(top level)",
                    "expected a mapping with name and versions",
                    "start from examples/strategy.yaml",
                )
            ],
        )
    problems = []
    strategy = None
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as err:
        problems = problems_from_validation(err, root)
    problems += [_locate(p, root) for p in cross_check(data)]
    if problems or strategy is None:
        raise StrategyInvalid(source, problems)
    return strategy


def load_strategy(path: Path | str) -> Strategy:
    file = Path(path)
    if not file.is_file():
        raise InvalidInput(f"strategy file {file} not found", "check the path, or run `make demo`")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{file} is not UTF-8 text", "save the strategy file as UTF-8") from None
    return parse_strategy(text, source=str(file))
