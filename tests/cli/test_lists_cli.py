"""`onstrategy lists` and `onstrategy matches` from the command line (both databases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.ingest.importer import import_file
from onstrategy.store.connect import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"


@pytest.fixture
def url(database_url: str) -> str:
    store = Store.open(database_url)
    for kind in ("users", "accounts", "leads"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    store.close()
    return database_url


def run(url: str, *args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--database-url", url, *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_import_show_white_space_and_duplicates(url: str) -> None:
    code, out, _ = run(
        url, "lists", "import", "top-accounts", DATA / "list.csv", "--title", "Top accounts"
    )
    text = " ".join(out.split())  # the console wraps long lines
    assert code == 0
    assert "inserted 5" in text
    assert "rejected 1" in text
    assert "white space (no account): 2" in text
    code, out, _ = run(url, "lists", "show", "top-accounts", "--white-space", "--json")
    names = [e["name"] for e in json.loads(out)["entries"]]
    assert (code, names) == (0, ["Megacorp Industries", "Initech", "Hooli"])
    code, out, _ = run(url, "lists", "duplicates", "top-accounts", "--json")
    assert [g["account_id"] for g in json.loads(out)] == ["a-acme"]
    code, out, _ = run(url, "lists", "list", "--json")
    (listed,) = json.loads(out)
    assert (listed["name"], listed["entries"], listed["matched"]) == ("Top accounts", 5, 2)


def test_unknown_list_is_an_error_with_a_hint(url: str) -> None:
    code, _, err = run(url, "lists", "show", "fortune-500")
    assert code == 1
    assert "Error: no named-account list 'fortune-500'" in err
    assert "Hint: import one with `onstrategy lists import NAME FILE.csv`" in err
    code, _, err = run(url, "lists", "import", "Top 10", DATA / "list.csv")
    assert code == 1
    assert "is not a short name" in err


def test_review_queue_and_resolve(url: str) -> None:
    code, out, _ = run(url, "matches", "review", "--json")
    (item,) = json.loads(out)
    assert (code, item["subject_id"]) == (0, "l-ini")
    code, _, err = run(url, "matches", "resolve", "999", "--none", "--as", "u-admin")
    assert code == 1
    assert "Error: no match review #999" in err
    code, _, err = run(
        url,
        "matches",
        "resolve",
        str(item["id"]),
        "--none",
        "--account",
        "a-ini-aus",
        "--as",
        "u-admin",
    )
    assert code == 1
    assert "exactly one of --account ACCOUNT_ID or --none" in err
    code, _, err = run(url, "matches", "resolve", str(item["id"]), "--none", "--as", "u-rep")
    assert code == 1
    assert "Ray Rep (rep) may not resolve match reviews" in err
    code, out, _ = run(
        url,
        "matches",
        "resolve",
        str(item["id"]),
        "--account",
        "a-ini-aus",
        "--as",
        "ada@test.example",
    )
    assert code == 0
    assert "l-ini → a-ini-aus" in out
    code, out, _ = run(url, "matches", "show", "l-ini", "--json")
    assert json.loads(out)["match_status"] == "manual"
