"""Money in the web is in the strategy's currency, not always dollars (both databases)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest_web import ADMIN, ANA, Web, build

from onstrategy.strategy.load import load_strategy
from onstrategy.web.render import format_money

SCRIPTS = re.compile(r"<script\b.*?</script>", re.S)  # chart specs carry "$schema"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def euro_site(request, copy_database, demo_files, quick_hashes, tmp_path_factory) -> Iterator[Web]:  # type: ignore[no-untyped-def]
    text = demo_files["strategy"].read_text(encoding="utf-8")
    euro = re.sub(r"(?m)^(\s*)currency: USD$", r"\1currency: EUR", text)
    path: Path = tmp_path_factory.mktemp("euro") / "strategy.yaml"
    path.write_text(euro, encoding="utf-8")
    strategy = load_strategy(path)
    assert strategy.currency == "EUR"
    assert {v.costs.currency for v in strategy.versions} == {"EUR"}
    with copy_database(request.param, demo=True) as url:
        web = build(url, path)
        yield web
        # the store closes on the thread that used it; asyncio.run in a thread of its own, as
        # the test thread may already run an event loop (the browser tests' one)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, web.app.state.onstrategy.close()).result()


def _visible(html: str) -> str:
    return SCRIPTS.sub("", html)


def test_pages_show_the_strategys_currency_and_no_dollar(euro_site):
    admin = euro_site.client(ADMIN)
    deal = admin.get(f"/api/reps/{ANA}").json()["deals"][0]
    pages = {
        "dashboard": admin.get("/"),
        "deal": admin.get(f"/deals/{deal['id']}"),
        "effort": admin.get("/effort"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, (name, page.text[:300])
        text = _visible(page.text)
        assert "€" in text, name
        assert "$" not in text, (name, text[text.index("$") - 80 : text.index("$") + 20])
    assert format_money(deal["amount"], "EUR") in pages["deal"].text


def test_amounts_read_the_english_way_with_symbol_or_code():
    assert format_money(1200, "USD") == "$1,200"
    assert format_money(1200, "CHF") == "CHF 1,200"
    assert format_money(12_500, "eur") == "€12k"
    assert format_money(-1_234_567, "GBP") == "-£1.23M"
    assert format_money(None, "JPY") == "–"
