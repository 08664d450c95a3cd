"""The match review queue at scale: 1,000 items are read a page at a time with the total, in
a fixed number of queries, by the core, the command line and the web page (both databases).
A manager's page holds their teams' leads and no other."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onstrategy.cli.main import app as cli
from onstrategy.crm.match_reviews import review_queue
from onstrategy.settings import Settings
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.web import create_app
from onstrategy.web.users import set_password

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 6, 1)
STRATEGY = """
name: Two Teams Co
reps:
  - {id: r-east, name: Eve East}
  - {id: r-west, name: Will West}
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments: [{name: US, countries: [US]}]
    territories:
      - {id: east, name: East, rules: {states: [NY]}, reps: [{rep: r-east}]}
      - {id: west, name: West, rules: {states: [CA]}, reps: [{rep: r-west}]}
"""
LEADS = 1000  # 500 of East's reps, 480 of West's, 20 nobody owns yet in California (West's)


@dataclass
class Queue:
    url: str
    env: dict[str, str]
    store: Store
    app: TestClient


def _lead(n: int) -> dict[str, Any]:
    owner = "r-east" if n % 2 == 0 else None if n % 50 == 1 else "r-west"
    state = "NY" if owner == "r-east" else "CA"
    return {"id": f"L{n:04d}", "last_name": f"Lead {n}", "company": "Initech", "country": "US",
            "state": state, "owner_id": owner, "gate_status": "active"}  # fmt: skip


def _review(n: int) -> dict[str, Any]:
    candidates = [
        {"account_id": a, "name": "Initech", "score": 80.0, "reasons": [f"same name ({a})"]}
        for a in ("a-1", "a-2")
    ]
    return {"subject_kind": "lead", "subject_id": f"L{n:04d}", "status": "open",
            "created_at": NOW, "candidates": candidates, "reasons": ["ambiguous: runner-up"],
            "score": 80.0}  # fmt: skip


def _fill(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(tables.team.insert(), [
            {"id": t, "name": t.title(), "manager_id": f"m-{t}"} for t in ("east", "west")
        ])  # fmt: skip
        conn.execute(tables.user.insert(), [
            {"id": i, "name": n, "email": e, "role": r, "team_id": t, "active": True}
            for i, n, e, r, t in (
                ("admin", "Ada Admin", "ada@two.example", "admin", None),
                ("m-west", "Wendy Westman", "wendy@two.example", "manager", None),
                ("r-east", "Eve East", None, "rep", "east"),
                ("r-west", "Will West", None, "rep", "west"),
            )
        ])  # fmt: skip
        conn.execute(tables.account.insert(), [
            {"id": a, "name": "Initech", "gate_status": "active"} for a in ("a-1", "a-2")
        ])  # fmt: skip
        conn.execute(tables.lead.insert(), [_lead(n) for n in range(LEADS)])
        conn.execute(tables.match_review.insert(), [_review(n) for n in range(LEADS)])
    for email in ("ada@two.example", "wendy@two.example"):
        set_password(store=store, who=email, password=PASSWORD, actor="test")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def queue(request, copy_database, tmp_path_factory) -> Iterator[Queue]:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("queue") / "strategy.yaml"
    path.write_text(STRATEGY, encoding="utf-8")
    with copy_database(request.param) as url:
        store = Store.open(url)
        _fill(store)
        settings = Settings(database_url=url, strategy_file=path, secret_key="k" * 40)
        with TestClient(create_app(settings=settings)) as client:
            yield Queue(url, {"ONSTRATEGY_DATABASE_URL": url}, store, client)
        store.close()


@contextmanager
def _selects(store: Store) -> Iterator[list[str]]:
    """The SELECT statements the store runs inside the block."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)


def test_a_page_of_the_queue_is_two_queries_with_the_total(queue: Queue) -> None:
    with _selects(queue.store) as selects:
        page = review_queue(store=queue.store, limit=100, offset=0)
    assert len(selects) == 2  # the count and the page, whatever the queue's length
    assert (page.total, len(page.reviews)) == (LEADS, 100)
    assert [r["subject_id"] for r in page.reviews] == [f"L{n:04d}" for n in range(100)]
    first = page.reviews[0]
    assert (first["subject"]["last_name"], first["subject"]["owner_id"]) == ("Lead 0", "r-east")
    assert first["candidates"][0]["account_id"] == "a-1"
    last = review_queue(store=queue.store, limit=100, offset=950)
    assert [r["subject_id"] for r in last.reviews] == [f"L{n:04d}" for n in range(950, 1000)]


def test_a_managers_page_holds_their_teams_leads(queue: Queue) -> None:
    strategy = parse_strategy(STRATEGY)
    page = review_queue(store=queue.store, limit=100, actor="m-west", strategy=strategy,
                        as_of=DAY)  # fmt: skip
    west = [_lead(n) for n in range(LEADS) if _lead(n)["owner_id"] != "r-east"]
    assert page.total == len(west) == 500  # 480 her reps own + 20 the West territory gets
    assert [r["subject_id"] for r in page.reviews] == [x["id"] for x in west[:100]]
    assert {r["subject"]["owner_id"] for r in page.reviews} == {"r-west", None}
    unsure = review_queue(store=queue.store, limit=100, actor="m-west", as_of=DAY)
    assert unsure.total == 480  # no strategy: nobody can say whose the unowned leads are


def _cli(queue: Queue, *args: str) -> str:
    done = CliRunner().invoke(cli, ["matches", "review", *args], env=queue.env)
    assert done.exit_code == 0, done.output
    return done.stdout


def test_the_command_line_pages_the_queue(queue: Queue) -> None:
    assert len(json.loads(_cli(queue, "--json"))) == 100
    assert len(json.loads(_cli(queue, "--json", "--limit", "0"))) == LEADS
    tail = json.loads(_cli(queue, "--json", "--offset", "990"))
    assert [r["subject_id"] for r in tail] == [f"L{n:04d}" for n in range(990, 1000)]
    text = " ".join(_cli(queue, "--limit", "5", "--offset", "10").split())
    assert "1,000 open match reviews, showing 11–15" in text
    assert "more with --offset 15" in text


def _login(client: TestClient, email: str) -> None:
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def test_the_web_queue_shows_the_first_hundred_and_the_total(queue: Queue) -> None:
    admin = queue.app
    _login(admin, "ada@two.example")
    html = admin.get("/matches").text
    assert "1,000 open reviews, showing 1–100." in html
    assert len(re.findall(r'<tr id="review-\d+"', html)) == 100
    assert 'href="/matches?kind=&amp;status=open&amp;offset=100">Next' in html
    twin = admin.get("/api/matches?offset=900").json()
    assert (twin["total"], len(twin["reviews"]), twin["offset"]) == (LEADS, 100, 900)
    assert twin["reviews"][0]["subject"]["id"] == "L0900"
    manager = TestClient(admin.app)
    _login(manager, "wendy@two.example")
    theirs = manager.get("/api/matches").json()
    assert theirs["total"] == 500
    assert {r["subject"]["owner_name"] for r in theirs["reviews"]} == {"Will West", None}
