"""One rule for what a manager covers, whoever asks (CLI, web, the exception workflow)."""

from __future__ import annotations

from onstrategy.crm.actors import managed_teams, manages, resolve_actor, visible_reps
from onstrategy.store import tables
from onstrategy.store.connect import Store


def test_a_manager_covers_the_teams_naming_them_and_their_own(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(tables.team.insert(), [
            {"id": "west", "name": "West", "manager_id": "lee"},  # lee heads West
            {"id": "east", "name": "East", "manager_id": "kim"},  # ...but sits on East
            {"id": "south", "name": "South", "manager_id": "sam"},
        ])  # fmt: skip
        conn.execute(tables.user.insert(), [
            {"id": "lee", "name": "Lee", "role": "manager", "team_id": "east", "active": True},
            {"id": "ana", "name": "Ana", "role": "rep", "team_id": "west", "active": True},
            {"id": "bo", "name": "Bo", "role": "rep", "team_id": "east", "active": True},
            {"id": "cy", "name": "Cy", "role": "rep", "team_id": "south", "active": True},
        ])  # fmt: skip
        lee, ana = resolve_actor(conn, "lee"), resolve_actor(conn, "ana")
        assert managed_teams(conn, lee) == {"west", "east"}
        assert visible_reps(conn, lee) == {"lee", "ana", "bo"}
        assert (manages(conn, lee, "bo"), manages(conn, lee, "cy")) == (True, False)
        assert visible_reps(conn, ana) == {"ana"}
        assert not manages(conn, ana, "ana")
