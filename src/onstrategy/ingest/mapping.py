"""Which export column feeds which field: Salesforce and HubSpot out of the box, any other
CRM through a small YAML mapping file (see docs/imports.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from onstrategy.errors import InvalidInput, Problem
from onstrategy.ingest.fields import KINDS, KindSpec

MAPPINGS_DIR = Path(__file__).with_name("mappings")
BUILT_IN = ("salesforce", "hubspot")


def normalize_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class MappingFile(BaseModel):
    """A mapping file: ``kinds: {KIND: {FIELD: [column header, ...]}}``."""

    model_config = ConfigDict(extra="forbid")
    name: str
    kinds: dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class ColumnMap:
    """Resolved for one file: field -> column index, and which columns go to ``extra``."""

    kind: KindSpec
    source: str  # which mapping recognised the columns
    fields: dict[str, int]
    extra: dict[str, int]
    _plan: list[tuple[str, int, str, bool]] = field(init=False, repr=False, compare=False)

    @property
    def plan(self) -> list[tuple[str, int, str, bool]]:
        """(field, column index, type, required) for each mapped field, in column order."""
        return self._plan

    def __post_init__(self) -> None:
        plan = [
            (name, index, self.kind.field(name).type, self.kind.field(name).required)
            for name, index in sorted(self.fields.items(), key=lambda item: item[1])
        ]
        object.__setattr__(self, "_plan", plan)


@lru_cache(maxsize=8)
def _load(path: Path) -> MappingFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        mapping = MappingFile.model_validate(data)
    except (OSError, yaml.YAMLError) as err:
        raise InvalidInput(
            f"cannot read mapping file {path}: {err}", "see docs/imports.md for the format"
        ) from None
    except ValidationError as err:
        problems = [Problem(".".join(map(str, e["loc"])), e["msg"]) for e in err.errors()]
        raise InvalidInput(
            f"mapping file {path} is not valid", "see docs/imports.md", problems
        ) from None
    _check_fields(path, mapping)
    return mapping


def _check_fields(path: Path, mapping: MappingFile) -> None:
    problems = []
    for kind, fields in mapping.kinds.items():
        if kind not in KINDS:
            problems.append(
                Problem(f"kinds.{kind}", "unknown record kind", f"one of: {', '.join(KINDS)}")
            )
            continue
        known = {f.name for f in KINDS[kind].fields}
        problems += [
            Problem(f"kinds.{kind}.{name}", "unknown field", f"one of: {', '.join(sorted(known))}")
            for name in fields
            if name not in known
        ]
    if problems:
        raise InvalidInput(
            f"mapping file {path} names unknown kinds or fields", "fix the names listed", problems
        )


def built_in_mappings() -> list[MappingFile]:
    return [_load(MAPPINGS_DIR / f"{name}.yaml") for name in BUILT_IN]


def _resolve(spec: KindSpec, header: list[str], aliases: dict[str, list[str]]) -> dict[str, int]:
    index = {normalize_header(h): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for wanted in spec.fields:
        for alias in [*aliases.get(wanted.name, []), wanted.name]:
            position = index.get(normalize_header(alias))
            if position is not None and position not in found.values():
                found[wanted.name] = position
                break
    return found


def resolve_columns(
    *, kind: str, header: list[str], source: str, mapping_file: Path | None = None
) -> ColumnMap:
    """Pick the mapping that recognises the file's columns best; fail clearly if none does."""
    spec = KINDS[kind]
    candidates = [_load(mapping_file)] if mapping_file else built_in_mappings()
    best: tuple[int, str, dict[str, int]] | None = None
    for mapping in candidates:
        fields = _resolve(spec, header, mapping.kinds.get(kind, {}))
        if best is None or len(fields) > best[0]:
            best = (len(fields), mapping.name, fields)
    assert best is not None
    _, name, fields = best
    missing = [f for f in spec.required if f not in fields]
    if not fields or missing:
        raise InvalidInput(*_unrecognised(spec, header, source, missing, mapping_file))
    used = set(fields.values())
    extra = {h: i for i, h in enumerate(header) if i not in used and h}
    return ColumnMap(spec, name, fields, extra)


def _unrecognised(
    spec: KindSpec, header: list[str], source: str, missing: list[str], mapping_file: Path | None
) -> tuple[str, str]:
    shown = ", ".join(header[:12]) + (" ..." if len(header) > 12 else "")
    what = (
        f"required {spec.kind} fields missing: {', '.join(missing)}"
        if missing
        else (f"no recognisable {spec.kind} columns")
    )
    examples = {m.name: m.kinds.get(spec.kind, {}) for m in built_in_mappings()}
    sample = "; ".join(
        f"{name}: " + ", ".join(aliases[f][0] for f in spec.required if aliases.get(f))
        for name, aliases in examples.items()
    )
    hint = (
        f"expected columns such as {sample}. "
        "For another CRM's export, write a mapping file (docs/imports.md) and pass --mapping"
    )
    if mapping_file:
        hint = f"add the missing fields to {mapping_file}"
    return f"{source}: {what} (columns found: {shown})", hint
