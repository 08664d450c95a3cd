"""Query parameters every page and its JSON twin share: the period and the version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import Query

from onstrategy.errors import InvalidInput, Problem


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    version: str | None
    today: date

    def query(self) -> dict[str, str]:
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.version:
            out["version"] = self.version
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.date_from, "to": self.date_to, "version": self.version}


def today() -> date:
    """The one place the web reads the clock (time is a parameter everywhere below)."""
    return date.today()


def period_params(
    date_from: date | None = Query(
        None, alias="from", description="first day (YYYY-MM-DD); default: a year before `to`"
    ),
    date_to: date | None = Query(None, alias="to", description="last day; default: today"),
    version: str | None = Query(
        None,
        description="judge everything by this strategy version "
        "(default: each record by the version in force on its date)",
    ),
) -> Period:
    now = today()
    end = date_to or now
    start = date_from or (end - timedelta(days=364))
    if end < start:
        raise InvalidInput(
            "the period ends before it starts",
            "swap `from` and `to`",
            [Problem("query.to", f"{end} is before {start}")],
        )
    return Period(start, end, version or None, now)


def presets(today_: date) -> list[dict[str, str]]:
    """Period choices for the picker."""
    q = (today_.month - 1) // 3
    quarter = date(today_.year, q * 3 + 1, 1)
    last_q = date(quarter.year - (q == 0), ((q - 1) % 4) * 3 + 1, 1)
    return [
        {"label": "Last 12 months", "from": str(today_ - timedelta(days=364)), "to": str(today_)},
        {"label": "This quarter", "from": str(quarter), "to": str(today_)},
        {"label": "Last quarter", "from": str(last_q), "to": str(quarter - timedelta(days=1))},
        {"label": "Year to date", "from": str(date(today_.year, 1, 1)), "to": str(today_)},
        {"label": "Last 90 days", "from": str(today_ - timedelta(days=89)), "to": str(today_)},
    ]
