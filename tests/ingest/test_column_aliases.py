"""One rule for recognising CSV columns by name, and one error when a needed column is
missing, in record imports, named-account lists and call manifests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.crm.calls import read_manifest
from onstrategy.crm.lists import import_list
from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file
from onstrategy.ingest.mapping import find_columns
from onstrategy.store import tables
from onstrategy.store.connect import Store

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_names_match_ignoring_case_spaces_underscores_and_punctuation() -> None:
    wanted = {"state": ["State/Province", "Region"], "id": ["Record ID"]}
    header = ["record_id", "  STATE province ", "Region"]
    assert find_columns(header=header, wanted=wanted) == {"id": 0, "state": 1}  # not Region


def test_the_first_accepted_name_wins_and_a_column_feeds_one_field() -> None:
    wanted = {"name": ["Account Name", "Name"], "title": ["Name", "Title"]}
    header = ["Name", "Account Name", "Name", "Title"]
    assert find_columns(header=header, wanted=wanted) == {"name": 1, "title": 0}
    assert find_columns(header=["Title", "title"], wanted=wanted) == {"title": 0}


def test_the_same_header_spellings_work_in_all_three(store: Store, tmp_path: Path) -> None:
    accounts = write(tmp_path, "a.csv", "ACCOUNT_ID,account  name\na1,Acme Inc\n")
    assert import_file(store=store, kind="accounts", path=accounts).inserted == 1
    entries = write(tmp_path, "l.csv", "RANK,company_name,Web-Site\n1,Acme Inc,acme.com\n")
    listed = import_list(store=store, list_id="top", path=entries, now=NOW)
    assert (listed.inserted, listed.matching["matched"]) == (1, 1)
    with store.begin() as conn:
        entry = conn.execute(sa.select(tables.named_list_entry)).mappings().one()
    assert (entry["name"], entry["website"], entry["extra"]) == (
        "Acme Inc",
        "acme.com",
        {"RANK": "1"},
    )
    manifest = write(
        tmp_path, "m.csv", "CALL_ID,file,rep-email,Occurred On\nc1,t.txt,a@x,2026-03-02\n"
    )
    (spec,) = read_manifest(path=manifest)
    assert (spec.call_id, spec.filename, spec.rep, spec.occurred_on) == (
        "c1",
        "t.txt",
        "a@x",
        "2026-03-02",
    )


def _import_accounts(store: Store, path: Path) -> object:
    return import_file(store=store, kind="accounts", path=path)


def _import_list(store: Store, path: Path) -> object:
    return import_list(store=store, list_id="top", path=path, now=NOW)


def _read_manifest(_store: Store, path: Path) -> object:
    return read_manifest(path=path)


@pytest.mark.parametrize(
    ("run", "missing", "accepted"),
    [
        (_import_accounts, "required accounts fields missing: id, name", "name: Account Name"),
        (_import_list, "required list fields missing: name or website", "website: Website, Domain"),
        (_read_manifest, "required call manifest fields missing: file", "file: File, Path"),
    ],
)
def test_a_missing_column_gets_the_same_error_everywhere(
    store: Store,
    tmp_path: Path,
    run: Callable[[Store, Path], object],
    missing: str,
    accepted: str,
) -> None:
    path = write(tmp_path, "x.csv", "Foo,Bar_Baz\n1,2\n")
    with pytest.raises(InvalidInput) as caught:
        run(store, path)
    assert caught.value.message == f"{path}: {missing} (columns found: Foo, Bar_Baz)"
    assert caught.value.hint.startswith("accepted column names (case, spaces and punctuation")
    assert accepted in caught.value.hint
