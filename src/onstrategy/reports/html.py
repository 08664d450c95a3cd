"""Self-contained HTML reports: one file with its charts and scripts inlined, opens offline."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

VENDOR = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor"
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("onstrategy", "reports/templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
    env.filters["num"] = lambda v: "–" if v is None else f"{v:,.0f}"
    return env


@lru_cache(maxsize=1)
def inline_scripts() -> str:
    """The vendored chart libraries, to inline (``</script>`` cannot occur in them)."""
    parts = [(VENDOR / name).read_text(encoding="utf-8") for name in SCRIPTS]
    return "\n".join(p.replace("</script", "<\\/script") for p in parts)


def render(template: str, **context: Any) -> str:
    charts = context.get("charts", {})
    context["charts_json"] = {k: json.dumps(v) for k, v in charts.items()}
    return _environment().get_template(template).render(scripts=inline_scripts(), **context)
