"""The web dashboard in a real browser: sign in, charts drawn, drill down, release a lead
with HTMX; nothing is fetched from beyond the server (uvicorn on a loopback port)."""

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
MANAGER, ADMIN = "laura.chen@techdistro.example", "jordan.ellis@techdistro.example"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(
    demo_sqlite_template: Path,
    demo_files: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    import uvicorn
    from argon2 import PasswordHasher

    from onstrategy.web import users

    kept, users._HASHER = (
        users._HASHER,
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )
    database = tmp_path_factory.mktemp("web-e2e") / "demo.db"
    shutil.copy(demo_sqlite_template, database)
    url = f"sqlite:///{database}"
    store = Store.open(url)
    for email in (MANAGER, ADMIN):
        set_password(store=store, who=email, password=PASSWORD, actor="test")
    store.close()
    app = create_app(
        settings=Settings(
            database_url=url, strategy_file=demo_files["strategy"], secret_key=uuid.uuid4().hex * 2
        )
    )
    port = _free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
    users._HASHER = kept


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/**")


def test_manager_sees_charts_and_drills_into_a_rep(page, server: str) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _sign_in(page, server, MANAGER)
    page.goto(f"{server}/?from=2025-12-01&to=2026-11-30")
    for chart in ("company", "reps", "tiers", "bookings"):
        page.wait_for_selector(f"#chart-{chart} svg", timeout=20000)
    reps = page.locator("#reps tbody tr")
    assert reps.count() == 5  # team West only
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-manager.png"), full_page=True)
    page.select_option("select[name=preset]", index=2)  # a quarter, reloaded by HTMX
    page.wait_for_function(
        "() => location.search.includes('from=') && !location.search.includes('from=2025-12-01')"
    )
    page.wait_for_selector("#chart-company svg", timeout=20000)
    query = page.evaluate("location.search")
    assert page.locator("#twin-link").get_attribute("href").startswith("/api/dashboard" + query)
    page.locator("#reps tbody tr a").first.click()
    page.wait_for_url("**/reps/**")
    page.wait_for_selector("#chart-shares svg", timeout=20000)
    assert page.locator("#deals tbody tr").count() >= 1
    page.screenshot(path=str(SHOTS / "rep.png"), full_page=True)
    assert [u for u in requests if not u.startswith(server)] == []


def test_admin_releases_a_quarantined_lead_with_htmx(page, server: str) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _sign_in(page, server, ADMIN)
    page.goto(f"{server}/gate")
    row = page.locator("#gated tbody tr").first
    row_id = row.get_attribute("id")
    row.locator("input[name=reason]").fill("existing customer contact, let in")
    row.locator("button", has_text="Release").click()
    page.wait_for_selector(f"#{row_id}.released", timeout=10000)
    assert "released" in page.locator(f"#{row_id}").inner_text()
    page.screenshot(path=str(SHOTS / "gate.png"), full_page=False)
    page.reload()
    assert page.locator(f"#{row_id}").count() == 0  # no longer quarantined
    assert [u for u in requests if not u.startswith(server)] == []
