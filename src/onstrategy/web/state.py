"""What the web app holds for its lifetime: settings, the store, the strategy, a cache."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from onstrategy.errors import OnstrategyError
from onstrategy.settings import Settings
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.documents import latest_document
from onstrategy.strategy.load import load_strategy, parse_strategy
from onstrategy.strategy.model import Strategy

log = logging.getLogger("onstrategy.web")
T = TypeVar("T")
CACHE_SIZE = 64


class NoStrategy(OnstrategyError):
    def __init__(self) -> None:
        super().__init__(
            "no strategy is configured",
            "start the server with --strategy FILE or set ONSTRATEGY_STRATEGY_FILE "
            "(or an admin uploads one on the Strategy page)",
            [],
            code="no_strategy",
            status=503,
        )


def session_key(settings: Settings) -> tuple[str, bool]:
    """The signing key, and whether it was generated for this process only."""
    if settings.secret_key:
        return settings.secret_key, False
    log.warning(
        "ONSTRATEGY_SECRET_KEY is not set: using a random key for this process; "
        "everyone is signed out when the server restarts"
    )
    return secrets.token_urlsafe(48), True


@dataclass
class WebState:
    settings: Settings
    store: Store
    secret_key: str
    ephemeral_key: bool
    _strategy: tuple[Any, Strategy] | None = None
    _cache: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Ibis keeps one connection per store, and SQLite's may only be used by the thread
    # that opened it: every read model and action runs on this one worker thread.
    _worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="onstrategy-db")
    )

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, functools.partial(fn, *args, **kwargs))

    async def close(self) -> None:
        """On shutdown: the store is closed on the thread that used it."""
        await self.run(self.store.close)
        self._worker.shutdown(wait=True)

    def strategy(self) -> Strategy:
        """From the configured file (reloaded when it changes), else the latest upload."""
        key, loader = self._strategy_source()
        cached = self._strategy
        if cached is None or cached[0] != key:
            cached = (key, loader())
            self._strategy = cached
        return cached[1]

    def _strategy_source(self) -> tuple[Any, Callable[[], Strategy]]:
        path = self.settings.strategy_file
        if path is not None:
            file = Path(path)
            stamp = file.stat().st_mtime_ns if file.exists() else None
            return ("file", str(file), stamp), lambda: load_strategy(file)
        latest = latest_document(self.store)
        if latest is None:
            raise NoStrategy()
        doc_id, text = latest
        return ("document", doc_id), lambda: parse_strategy(text, source="uploaded")

    def data_stamp(self) -> tuple[Any, ...]:
        """Changes whenever data changes: every import is a batch, every change is audited."""
        with self.store.begin() as conn:
            audit = conn.execute(sa.select(sa.func.max(tables.audit_log.c.id))).scalar()
            batch = conn.execute(sa.select(sa.func.max(tables.import_batch.c.id))).scalar()
        try:  # the strategy as it is now (an edited file too), not as last loaded
            strategy = self._strategy_source()[0]
        except NoStrategy:
            strategy = None
        return (audit, batch, strategy)

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """A read model built once per data stamp (so pages and their twins agree)."""
        full = (key, self.data_stamp())
        with self._lock:
            if full in self._cache:
                self._cache.move_to_end(full)
                return self._cache[full]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self._cache[full] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value
