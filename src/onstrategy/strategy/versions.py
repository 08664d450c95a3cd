"""Compare strategy versions: what a leader changed between two versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onstrategy.strategy.model import Strategy


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # "added" | "removed" | "changed"
    before: Any
    after: Any


def diff_versions(*, strategy: Strategy, old_id: str, new_id: str) -> list[Change]:
    old = strategy.version(old_id).model_dump(mode="json", exclude={"id", "description"})
    new = strategy.version(new_id).model_dump(mode="json", exclude={"id", "description"})
    return list(_diff(old, new, ""))


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """Lists of objects with an id (or name) are compared by that key, not by position."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in ("id", "code", "name", "rep"):
        if all(key in i for i in items):
            return {str(i[key]): i for i in items}
    return None


def _diff(old: Any, new: Any, path: str):  # type: ignore[no-untyped-def]
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                yield Change(sub, "added", None, new[key])
            elif key not in new:
                yield Change(sub, "removed", old[key], None)
            else:
                yield from _diff(old[key], new[key], sub)
        return
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            yield from _diff(old_keyed, new_keyed, path)
            return
    if old != new:
        yield Change(path, "changed", old, new)
