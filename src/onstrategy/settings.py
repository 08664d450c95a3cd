"""The one settings object, built at start-up (never at import time)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Read from ``ONSTRATEGY_*`` environment variables (and a ``.env`` file if present).

    ``database_url`` picks the backend: the default is an embedded SQLite file that needs
    no set-up; ``postgresql+psycopg://user@host/db`` for production.
    Secrets (database passwords, the session key) come from the environment, never from
    the strategy file.
    """

    model_config = SettingsConfigDict(env_prefix="ONSTRATEGY_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'onstrategy.db'}",
        description="SQLAlchemy URL of the store",
    )
    strategy_file: Path | None = Field(
        default=None, description="Strategy YAML used when a command is not given one"
    )
    secret_key: str | None = Field(
        default=None, description="Signs web sessions; set in production"
    )


def load_settings(**overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)  # type: ignore[arg-type]
