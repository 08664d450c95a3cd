"""`deals gaps --rep NAME`: a rep named by id, email or name, never a guess between namesakes."""

from __future__ import annotations

import pytest

from onstrategy.engines.authority import resolve_user
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store


def test_a_shared_name_is_refused_but_id_and_email_still_work(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(tables.user.insert(), [
            {"id": "u1", "name": "Alex Kim", "email": "alex.kim@x.example", "role": "rep",
             "active": True},
            {"id": "u2", "name": "Alex Kim", "email": "alex.kim2@x.example", "role": "rep",
             "active": True},
            {"id": "u3", "name": "Bo Chen", "email": "bo@x.example", "role": "rep", "active": True},
        ])  # fmt: skip
    assert resolve_user(store=store, who="bo chen") == "u3"
    assert resolve_user(store=store, who="ALEX.KIM2@x.example") == "u2"
    assert resolve_user(store=store, who="u1") == "u1"
    with pytest.raises(InvalidInput, match=r"2 users are called 'Alex Kim' \(u1, u2\)"):
        resolve_user(store=store, who="Alex Kim")
    with pytest.raises(NotFound):
        resolve_user(store=store, who="nobody")
