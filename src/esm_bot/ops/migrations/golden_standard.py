"""Migration 1, the original MSE bot's ``addGoldenStandardFields``: the missing golden-standard
fields, defaults or the original bot's camelCase values; existing values are never touched."""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from typing import Any, Final

import attrs

from esm_bot.domain.models import (
    ORIGINAL_FIELD_NAMES,
    CommonPatterns,
    PhenomenaFrequencies,
    Preferences,
)

__all__ = ["GOLDEN_STANDARD_DEFAULTS", "plan_golden_standard"]

#: Every golden-standard field with its default, as stored (JSON-compatible).
GOLDEN_STANDARD_DEFAULTS: Final[Mapping[str, Any]] = {
    "training_start_date": None,
    "current_training_day": 0,
    "training_completed": False,
    "average_data_quality": 0.0,
    "quality_history": [],
    "phenomena_frequencies": attrs.asdict(PhenomenaFrequencies()),
    "common_patterns": attrs.asdict(CommonPatterns()),
    "preferences": attrs.asdict(Preferences()),
    "achievements": [],
}

_SCHEMA_VERSION = 1
_HISTORY_KEYS: Final[Mapping[str, str]] = {
    "responsesCount": "responses_count",
    "dayNumber": "day_number",
}


def plan_golden_standard(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return the top-level fields to set on one stored participant document; ``{}`` if none."""
    patch: dict[str, Any] = {}
    for name, default in GOLDEN_STANDARD_DEFAULTS.items():
        original = ORIGINAL_FIELD_NAMES[name]
        if name not in doc:
            value = deepcopy(doc.get(original, default))
            if name == "quality_history" and isinstance(value, list):  # camelCase item keys
                value = [
                    {_HISTORY_KEYS.get(k, k): v for k, v in item.items()}
                    if isinstance(item, Mapping)
                    else item
                    for item in value
                ]
            patch[name] = _fill({}, value, name, default) if isinstance(default, dict) else value
        elif isinstance(default, dict) and isinstance(doc[name], Mapping):
            filled = _fill(doc[name], doc.get(original), name, default)
            if filled.keys() != doc[name].keys():
                patch[name] = filled
    version = doc.get("schema_version")
    if patch or not isinstance(version, int) or version < _SCHEMA_VERSION:
        patch["schema_version"] = max(version if isinstance(version, int) else 0, _SCHEMA_VERSION)
    return patch


def _fill(
    record: Mapping[str, Any], legacy: Any, name: str, default: Mapping[str, Any]
) -> dict[str, Any]:
    """``record`` with each missing key of ``default`` taken from the original bot's ``legacy``
    record (under our name or its camelCase one), else the default."""
    source = legacy if isinstance(legacy, Mapping) else {}
    out = dict(record)
    for key, value in default.items():
        original = ORIGINAL_FIELD_NAMES[f"{name}.{key}"].rsplit(".", 1)[-1]
        if key not in out:
            out[key] = deepcopy(next((source[k] for k in (key, original) if k in source), value))
    return out
