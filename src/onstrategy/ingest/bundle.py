"""Import a folder of CRM exports in the order their references need.

A bundle is a directory with any of the standard file names (``users.csv``,
``accounts.csv``, ...). Records that refer to others (contacts to accounts, deals to
owners) need those imported first; ``BUNDLE_ORDER`` is that order. Other steps (named
lists, call transcripts) register themselves with ``register_bundle_step``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import ImportResult, Progress, import_file
from onstrategy.store.connect import Store

BUNDLE_ORDER = (
    "teams",
    "users",
    "availability",
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "opportunity_contacts",
    "activities",
)


@dataclass(frozen=True)
class BundleStep:
    """An extra step: ``after`` names the kind it must follow."""

    name: str
    after: str
    run: Callable[[Store, Path, Any, date], str | None]  # returns a line for the user


BUNDLE_STEPS: list[BundleStep] = []


def register_bundle_step(step: BundleStep) -> None:
    if all(s.name != step.name for s in BUNDLE_STEPS):
        BUNDLE_STEPS.append(step)


@dataclass
class BundleResult:
    imports: list[ImportResult] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


def import_bundle(
    *,
    store: Store,
    directory: Path,
    strategy: Any = None,
    as_of: date | None = None,
    actor: str = "cli",
    progress: Callable[[str], Progress] | None = None,
) -> BundleResult:
    """Import every standard file found in ``directory``; each file is its own transaction."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a folder", "pass the folder holding the exports")
    _load_steps()
    day = as_of or date.today()
    result = BundleResult()
    for kind in BUNDLE_ORDER:
        path = directory / f"{kind}.csv"
        if path.exists():
            result.imports.append(
                import_file(
                    store=store,
                    kind=kind,
                    path=path,
                    actor=actor,
                    strategy=strategy,
                    as_of=day,
                    progress=progress(path.name) if progress else None,
                )
            )
        for step in (s for s in BUNDLE_STEPS if s.after == kind):
            line = step.run(store, directory, strategy, day)
            if line:
                result.steps.append(line)
    if not result.imports:
        raise InvalidInput(
            f"{directory} holds none of the standard exports",
            f"expected files such as {', '.join(k + '.csv' for k in BUNDLE_ORDER[:4])}",
        )
    return result


BUNDLE_PLUGINS: list[str] = [
    "onstrategy.crm.lists",  # fortune-1000.csv and lists/*.csv, right after accounts
    "onstrategy.crm.calls",  # calls.csv + transcripts/, after activities
]


def _load_steps() -> None:
    import importlib

    for module in BUNDLE_PLUGINS:
        importlib.import_module(module)
