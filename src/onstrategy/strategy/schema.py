"""The strategy file's JSON Schema, published so editors can complete and check the file.

``strategy.schema.json`` beside this module is generated from the pydantic model; a test
fails when it goes stale (regenerate with ``onstrategy strategy schema --write``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onstrategy.strategy.model import Strategy

SCHEMA_FILE = Path(__file__).with_name("strategy.schema.json")
SCHEMA_ID = "https://onstrategy.dev/schema/strategy.schema.json"


def strategy_schema() -> dict[str, Any]:
    schema = Strategy.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "onstrategy strategy file",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(strategy_schema(), indent=2, sort_keys=True) + "\n"
