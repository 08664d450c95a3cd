"""Every page has a JSON twin from the same read model; charts are fetchable specs; the
OpenAPI schema lists every JSON route; one error shape (one demo copy per backend)."""

from __future__ import annotations

import re

from conftest_web import ADMIN, ANA
from starlette.routing import Route

from onstrategy.api import routes as api_routes
from onstrategy.web import pages

PERIOD = "from=2025-12-01&to=2026-11-30"


def _ids(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rep = client.get(f"/api/reps/{ANA}?{PERIOD}").json()
    lead = client.get("/api/gate").json()["records"][0]
    return {
        "rep_id": ANA,
        "team_id": "west",
        "deal_id": rep["deals"][0]["id"],
        "account_id": rep["accounts"][0]["id"],
        "lead_id": lead["id"],
        "list_id": "fortune-1000",
    }


def _html_routes() -> list[str]:
    return sorted(
        r.path for r in pages.router.routes if isinstance(r, Route) and "GET" in (r.methods or ())
    )


def test_every_page_has_a_json_twin_with_the_same_numbers(demo_web):
    client = demo_web.client(ADMIN)
    ids = _ids(client)
    routes = _html_routes()
    assert {
        "/",
        "/reps/{rep_id}",
        "/accounts/{account_id}",
        "/gate",
        "/exceptions",
        "/alerts",
        "/authority",
        "/shift",
        "/consultative",
        "/effort",
        "/icp-value",
    } <= set(routes)
    for route in routes:
        path = route.format(**ids)
        page = client.get(f"{path}?{PERIOD}")
        assert page.status_code == 200, (path, page.text[:300])
        assert "text/html" in page.headers["content-type"]
        twin = client.get(("/api/dashboard" if path == "/" else f"/api{path}") + f"?{PERIOD}")
        assert twin.status_code == 200, (path, twin.text[:300])
        assert twin.json()["viewer"]["id"]
        assert 'href="/api' in page.text, f"{path} links no JSON twin"


def test_dashboard_numbers_in_html_match_the_twin(demo_web):
    client = demo_web.client(ADMIN)
    data = client.get(f"/api/dashboard?{PERIOD}").json()["report"]["company"]
    html = client.get(f"/?{PERIOD}").text
    card = re.search(r'data-metric="New pipeline".*?class="big[^"]*">([^<]+)<', html, re.S)
    assert card
    assert card.group(1) == f"{data['pipeline']['share']:.0%}"


def test_chart_specs_are_fetchable_vega_lite_without_external_data(demo_web):
    client = demo_web.client(ADMIN)
    charts = client.get(f"/api/dashboard?{PERIOD}").json()["charts"]
    assert set(charts) == {"company", "reps", "bookings", "tiers"}
    spec = client.get(f"/api/dashboard/charts/reps?{PERIOD}").json()
    assert spec == charts["reps"]
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert len(spec["data"]["values"]) >= 20
    assert "url" not in spec["data"]
    missing = client.get("/api/dashboard/charts/nope")
    assert missing.status_code == 404
    assert "reps" in missing.json()["error"]["hint"]


def test_openapi_documents_every_json_route(demo_web):
    client = demo_web.client(ADMIN)
    documented = set(client.get("/openapi.json").json()["paths"])
    api = {r.path for r in api_routes.router.routes if isinstance(r, Route)}
    assert api
    assert api <= documented
    assert not {p for p in documented if not p.startswith("/api/")}


def test_one_error_shape_everywhere(demo_web):
    client = demo_web.client(ADMIN)
    for response, code, status in (
        (client.get("/api/reps/nobody"), "not_found", 404),
        (client.get("/api/dashboard?from=2026-05-01&to=2026-01-01"), "invalid_input", 422),
        (client.get("/api/dashboard?from=yesterday"), "invalid_input", 422),
        (client.get("/api/no-such-page"), "not_found", 404),
        (client.post("/api/gate/leads/x/release", json={"reason": "a b c"}), "forbidden", 403),
    ):
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message", "hint", "problems"}
        assert body["error"]["code"] == code
        assert body["error"]["message"]
    page = client.get("/reps/nobody")
    assert page.status_code == 404
    assert "no rep" in page.text
    assert "<html" in page.text


def test_every_post_route_refuses_a_request_without_the_csrf_token(demo_web):
    from onstrategy.web.app import _session_router

    client = demo_web.client(ADMIN)
    routers = (pages.router, api_routes.router, _session_router())
    posts = sorted(
        {
            r.path
            for router in routers
            for r in router.routes
            if isinstance(r, Route) and "POST" in (r.methods or ())
        }
    )
    assert {
        "/login",
        "/logout",
        "/gate/{kind}/{record_id}/release",
        "/api/exceptions/{exception_id}/decision",
    } <= set(posts)
    for path in posts:
        url = path.format(kind="leads", record_id="x", exception_id=1, review_id=1, lead_id="x")
        refused = client.post(url, data={"reason": "a b c", "decision": "approve"})
        assert refused.status_code == 403, url
        if url.startswith("/api/"):
            assert refused.json()["error"]["code"] == "forbidden"
        else:
            assert "CSRF" in refused.text
    assert client.get("/api/me").status_code == 200  # still signed in: logout was refused
