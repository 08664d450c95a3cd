"""Results tied to the behaviour: win rate, deal size and price of ICP vs off-ICP deals,
per rep, team and the company, for the period and the strategy version(s) of the page.

The deals and the statistics are the ICP-value report's (:func:`load_deals`,
:func:`group_stats`: each closed deal judged by the ICP in force when it was created);
this module only groups them by the people the viewer may see.
"""

from __future__ import annotations

from typing import Any

from onstrategy.api import books
from onstrategy.api.params import Period
from onstrategy.reports.icp_value import group_stats, load_deals
from onstrategy.web.scope import Viewer
from onstrategy.web.state import WebState


def closed_deals(state: WebState, period: Period) -> list[dict[str, Any]]:
    strategy = state.strategy()
    return state.cached(
        ("closed_deals", period.date_from, period.date_to, period.version),
        lambda: load_deals(
            store=state.store,
            strategy=strategy,
            date_from=period.date_from,
            date_to=period.date_to,
            forced_version=period.version,
        ),
    )


def _row(level: str, key: str, name: str, deals: list[dict[str, Any]]) -> dict[str, Any]:
    icp = [d for d in deals if d["is_icp"]]
    off = [d for d in deals if not d["is_icp"]]
    return {
        "level": level,
        "id": key,
        "name": name,
        "closed": len(deals),
        "icp": group_stats("ICP", icp).as_dict(),
        "non_icp": group_stats("off-ICP", off).as_dict(),
    }


def results(
    state: WebState,
    viewer: Viewer,
    period: Period,
    *,
    team: str | None = None,
    rep: str | None = None,
) -> dict[str, Any]:
    """Outcomes of the deals closed in the period, by rep and team (and company)."""
    deals = closed_deals(state, period)
    users, teams = books.people(store=state.store)
    team_of = {uid: u["team_id"] for uid, u in users.items()}
    reps = sorted(
        {
            d["owner_id"]
            for d in deals
            if d["owner_id"] in users
            and viewer.may_see_rep(d["owner_id"])
            and rep in (None, d["owner_id"])
            and team in (None, team_of.get(d["owner_id"]))
        },
        key=lambda r: users[r]["name"],
    )
    rep_rows = [
        _row("rep", r, users[r]["name"], [d for d in deals if d["owner_id"] == r]) for r in reps
    ]
    team_ids = sorted(
        {team_of[r] for r in reps if team_of.get(r) and viewer.may_see_team(team_of[r])}
    )
    team_rows = [
        _row(
            "team",
            t,
            (teams.get(t) or {}).get("name", t),
            [d for d in deals if team_of.get(d["owner_id"] or "") == t],
        )
        for t in team_ids
    ]
    company = None
    if viewer.sees_all and team is None and rep is None:
        company = _row("company", "company", state.strategy().name, deals)
    return {"company": company, "teams": team_rows, "reps": rep_rows}
