"""The RevOps admin's right-leads pages in a real browser: the territories chart is drawn,
and a review item is accepted with HTMX (the row becomes its outcome, no page reload);
nothing is fetched from beyond the server (uvicorn on a loopback port)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from onstrategy.settings import Settings
from onstrategy.store.connect import Store
from onstrategy.web import create_app
from onstrategy.web.users import set_password

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
ADMIN = "jordan.ellis@techdistro.example"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="module")
def server(
    demo_sqlite_template: Path,
    demo_files: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    import uvicorn
    from argon2 import PasswordHasher

    from onstrategy.web import users

    kept = users._HASHER
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    database = tmp_path_factory.mktemp("right-leads-e2e") / "demo.db"
    shutil.copy(demo_sqlite_template, database)
    url = f"sqlite:///{database}"
    store = Store.open(url)
    set_password(store=store, who=ADMIN, password=PASSWORD, actor="test")
    store.close()
    settings = Settings(
        database_url=url, strategy_file=demo_files["strategy"], secret_key=uuid.uuid4().hex * 2
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(create_app(settings=settings), host="127.0.0.1", port=port)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
    users._HASHER = kept


def test_admin_sees_the_load_chart_and_accepts_a_review_with_htmx(page, server: str) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/**")
    page.click("nav a:has-text('Lists & routing')")
    page.wait_for_url("**/territories")
    page.wait_for_selector("#chart-load svg", timeout=20000)
    reps = page.locator("#loads tbody tr").count()
    assert reps >= 20
    bars = page.locator("#chart-load svg g.layer_0_marks > path").count()
    assert bars == reps  # one load bar per rep of the table
    ticks = page.locator("#chart-load svg g.layer_1_marks > path").count()
    with_capacity = page.locator("#loads tbody tr td:nth-child(7)").all_inner_texts()
    assert ticks == sum("—" not in text for text in with_capacity)  # a capacity tick each
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "territories.png"), full_page=True)

    page.click("#right-leads-tabs a:has-text('Match review queue')")
    page.wait_for_url("**/matches")
    row = page.locator("#reviews tbody tr.review").first
    row_id = row.get_attribute("id")
    before = page.locator("#reviews tbody tr.review").count()
    name = row.locator("ol.candidates li a, ol.candidates li span[title]").first.inner_text()
    page.evaluate("window.__stillHere = true")  # gone if the page reloaded
    row.locator("button", has_text="Accept").first.click()
    page.wait_for_selector(f"#{row_id}.released", timeout=10000)
    outcome = page.locator(f"#{row_id}").inner_text()
    assert "accepted" in outcome
    assert name in outcome
    assert "Jordan Ellis" in outcome
    assert page.evaluate("window.__stillHere === true")
    page.screenshot(path=str(SHOTS / "matches.png"), full_page=False)
    page.reload()
    assert page.locator(f"#{row_id}").count() == 0  # decided: no longer waiting
    assert page.locator("#reviews tbody tr.review").count() == before - 1
    assert [u for u in requests if not u.startswith(server)] == []
