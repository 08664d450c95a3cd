"""Which export column feeds which field, and which export value means which of ours:
Salesforce and HubSpot out of the box, any other CRM through a small YAML mapping file
(see docs/imports.md).

:func:`find_columns` is the one rule for recognising CSV columns by name, used by every
CSV onstrategy reads (record imports, named-account lists, call manifests); a file that
lacks a needed column gets the same error everywhere (:func:`require_columns`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onstrategy.errors import InvalidInput, Problem
from onstrategy.ingest.fields import KINDS, KindSpec
from onstrategy.ingest.values import BadValue, value_parser

MAPPINGS_DIR = Path(__file__).with_name("mappings")
BUILT_IN = ("salesforce", "hubspot")
_NOT_NAME = re.compile(r"[\W_]+")


def normalize_header(text: str) -> str:
    """A column name as compared: case, spaces, underscores and punctuation ignored."""
    return _NOT_NAME.sub("", text.casefold())


def normalize_value(text: str) -> str:
    """A cell value as looked up in a mapping's ``values``: case and spacing ignored."""
    return " ".join(text.casefold().split())


Alias = str | Sequence[str]  # a column's name, or several columns' names (joined by a space)


def find_columns(*, header: Sequence[str], wanted: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """The column index of each wanted field that the header has.

    ``wanted`` maps each field to the column names it accepts, in order of preference;
    names are compared by :func:`normalize_header`. A field takes the first of its names
    the header has, unless an earlier field took that column; of two columns with the same
    name the first counts.
    """
    return {name: found[0] for name, found in find_sources(header=header, wanted=wanted).items()}


def find_sources(
    *, header: Sequence[str], wanted: Mapping[str, Sequence[Alias]]
) -> dict[str, tuple[int, ...]]:
    """:func:`find_columns` where a field may also be made of several columns: an accepted
    name that is a list (``[First Name, Last Name]``) is taken when the header has all of
    them, none taken by an earlier field; the field is their cells joined by a space."""
    index: dict[str, int] = {}
    for column, title in enumerate(header):
        index.setdefault(normalize_header(title), column)
    found: dict[str, tuple[int, ...]] = {}
    for name, aliases in wanted.items():
        taken = {i for columns in found.values() for i in columns}
        for alias in aliases:
            names = (alias,) if isinstance(alias, str) else tuple(alias)
            positions = tuple(index.get(normalize_header(n), -1) for n in names)
            if names and -1 not in positions and not taken & set(positions):
                found[name] = positions
                break
    return found


def shown_alias(alias: Alias) -> str:
    """An accepted name as an error message shows it (``First Name + Last Name``)."""
    return alias if isinstance(alias, str) else " + ".join(alias)


def require_columns(
    *,
    source: str,
    what: str,
    header: Sequence[str],
    found: Mapping[str, int],
    wanted: Mapping[str, Sequence[str]],
    required: Sequence[str | tuple[str, ...]],
    hint: str = "",
) -> None:
    """Fail when a required field has no column: the file, the columns found, the names
    accepted. A tuple in ``required`` means one of those fields is enough."""
    needs = [(r,) if isinstance(r, str) else r for r in required]
    missing = [n for n in needs if not any(f in found for f in n)]
    if not missing:
        return
    shown = ", ".join(h for h in header[:15] if h) + (" ..." if len(header) > 15 else "")
    names = "; ".join(f"{f}: {', '.join(_distinct(wanted.get(f, ())))}" for n in missing for f in n)
    raise InvalidInput(
        f"{source}: required {what} fields missing: "
        f"{', '.join(' or '.join(n) for n in missing)} (columns found: {shown or 'none'})",
        f"accepted column names (case, spaces and punctuation ignored) - {names}"
        + (f". {hint}" if hint else ""),
    )


def _distinct(names: Sequence[str]) -> list[str]:
    """``names`` in order, each once however it is spelt (the first spelling)."""
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(normalize_header(name), name)
    return list(first.values())


# ----------------------------------------------------------------------------- mapping files


class MappingFile(BaseModel):
    """A mapping file: ``kinds: {KIND: {FIELD: [column header, ...]}}`` (a header may be a
    list of headers whose cells are joined: ``[First Name, Last Name]``) and optionally
    ``values: {KIND: {FIELD: {export value: our value}}}`` and ``extends: salesforce``."""

    model_config = ConfigDict(extra="forbid")
    name: str
    extends: str | None = None  # a built-in mapping whose names and values this one adds to
    kinds: dict[str, dict[str, list[str | Annotated[list[str], Field(min_length=1)]]]] = {}
    values: dict[str, dict[str, dict[str, str]]] = {}


class Planned(NamedTuple):
    """One mapped field of a file: where its cells are and how they are read."""

    field: str
    column: int
    type: str
    required: bool
    parse: Callable[[str], Any] | None  # None: text as given (and ``ref``: a user)
    joined: tuple[int, ...]  # a field made of several columns: all of them; else ()


@dataclass(frozen=True)
class ColumnMap:
    """Resolved for one file: field -> column index, and which columns go to ``extra``."""

    kind: KindSpec
    source: str  # which mapping recognised the columns
    fields: dict[str, int]
    extra: dict[str, int]
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> value -> ours
    joined: dict[str, tuple[int, ...]] = field(default_factory=dict)  # field -> its columns
    _plan: list[Planned] = field(init=False, repr=False, compare=False)

    @property
    def plan(self) -> list[Planned]:
        """Each mapped field with its column, type, whether required and parser, in order."""
        return self._plan

    def label(self, name: str, header: Sequence[str]) -> str:
        """The file's column(s) a field comes from, as a rejected row names them."""
        if name not in self.fields:
            return name
        return " + ".join(header[i] for i in self.joined.get(name, (self.fields[name],)))

    def translate(self, name: str, text: str) -> str:
        """The cell in our vocabulary when the mapping's ``values`` name it, else as given."""
        own = self.values.get(name)
        return own.get(normalize_value(text), text) if own and text else text

    def __post_init__(self) -> None:
        plan = [
            Planned(name, index, spec.type, spec.required,
                    value_parser(kind=self.kind.kind, field=name, type=spec.type),
                    self.joined.get(name, ()))
            for name, index in sorted(self.fields.items(), key=lambda item: item[1])
            for spec in (self.kind.field(name),)
        ]  # fmt: skip
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
    problems = _field_problems(mapping) + _value_problems(mapping)
    if problems:
        raise InvalidInput(
            f"mapping file {path}: {len(problems)} problem(s)", "fix the entries listed", problems
        )
    return _extended(path, mapping)


def _field_problems(mapping: MappingFile) -> list[Problem]:
    problems = []
    for section, by_kind in (("kinds", mapping.kinds), ("values", mapping.values)):
        for kind, fields in by_kind.items():
            if kind not in KINDS:
                problems.append(Problem(f"{section}.{kind}", "unknown record kind",
                                        f"one of: {', '.join(KINDS)}"))  # fmt: skip
                continue
            known = sorted(f.name for f in KINDS[kind].fields)
            problems += [
                Problem(f"{section}.{kind}.{name}", "unknown field", f"one of: {', '.join(known)}")
                for name in fields
                if name not in known
            ]
    return problems


def _value_problems(mapping: MappingFile) -> list[Problem]:
    """Each ``values`` entry must name a value its field accepts (a role we know...)."""
    problems = []
    for kind, fields in mapping.values.items():
        for name, table in fields.items():
            if kind not in KINDS or name not in {f.name for f in KINDS[kind].fields}:
                continue
            parse = value_parser(kind=kind, field=name, type=KINDS[kind].field(name).type)
            for given, ours in table.items():
                try:
                    if parse is not None:
                        parse(ours)
                except BadValue as err:
                    problems.append(Problem(f"values.{kind}.{name}.{given}", str(err)))
    return problems


def _extended(path: Path, mapping: MappingFile) -> MappingFile:
    """With ``extends``: the built-in's column names after the file's own, and its values
    under the file's own."""
    if mapping.extends is None:
        return mapping
    if mapping.extends not in BUILT_IN or path.parent == MAPPINGS_DIR:
        raise InvalidInput(
            f"mapping file {path}: extends {mapping.extends!r}, not a built-in mapping",
            f"extends one of: {', '.join(BUILT_IN)}",
        )
    base = _load(MAPPINGS_DIR / f"{mapping.extends}.yaml")
    kinds = _merged(base.kinds, mapping.kinds, lambda b, o: [*(o or []), *(b or [])])
    values = _merged(base.values, mapping.values, lambda b, o: (b or {}) | (o or {}))
    return mapping.model_copy(update={"kinds": kinds, "values": values})


def _merged(
    base: dict[str, dict[str, Any]], own: dict[str, dict[str, Any]], join: Callable[[Any, Any], Any]
) -> dict[str, dict[str, Any]]:
    """``{kind: {field: join(base's, own)}}`` over the kinds and fields of either."""
    return {
        kind: {
            name: join(base.get(kind, {}).get(name), own.get(kind, {}).get(name))
            for name in {**base.get(kind, {}), **own.get(kind, {})}
        }
        for kind in {**base, **own}
    }


def built_in_mappings() -> list[MappingFile]:
    return [_load(MAPPINGS_DIR / f"{name}.yaml") for name in BUILT_IN]


def _wanted(spec: KindSpec, aliases: dict[str, list[Any]]) -> dict[str, list[Alias]]:
    """Each field's accepted column names: the mapping's, then the field's own name."""
    return {f.name: [*aliases.get(f.name, []), f.name] for f in spec.fields}


def resolve_columns(
    *, kind: str, header: list[str], source: str, mapping_file: Path | None = None
) -> ColumnMap:
    """Pick the mapping that recognises the file's columns best; fail clearly if none does."""
    spec = KINDS[kind]
    candidates = [_load(mapping_file)] if mapping_file else built_in_mappings()
    chosen = max(
        candidates,
        key=lambda m: len(find_sources(header=header, wanted=_wanted(spec, m.kinds.get(kind, {})))),
    )  # the first of equals: Salesforce before HubSpot
    sources = find_sources(header=header, wanted=_wanted(spec, chosen.kinds.get(kind, {})))
    fields = {name: columns[0] for name, columns in sources.items()}
    require_columns(
        source=source, what=kind, header=header, found=fields,
        wanted=_accepted(spec, candidates), required=spec.required or [],
        hint=f"Add the missing fields to {mapping_file}" if mapping_file else
        "For another CRM's export, write a mapping file (docs/imports.md) and pass --mapping",
    )  # fmt: skip
    used = {i for columns in sources.values() for i in columns}
    extra = {h: i for i, h in enumerate(header) if i not in used and h}
    own_values = {
        name: {normalize_value(k): v for k, v in table.items()}
        for name, table in chosen.values.get(kind, {}).items()
    }
    joined = {name: columns for name, columns in sources.items() if len(columns) > 1}
    return ColumnMap(spec, chosen.name, fields, extra, own_values, joined)


def _accepted(spec: KindSpec, mappings: list[MappingFile]) -> dict[str, list[str]]:
    """Every column name any of ``mappings`` accepts for each field, for error messages."""
    names: dict[str, list[str]] = {}
    for mapping in mappings:
        for name, aliases in _wanted(spec, mapping.kinds.get(spec.kind, {})).items():
            names.setdefault(name, []).extend(shown_alias(a) for a in aliases)
    return names
