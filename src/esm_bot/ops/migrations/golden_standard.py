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


def _original_value(doc: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """Look up the original MSE bot's name of ``path`` in ``doc``; return (found, value)."""
    original = ORIGINAL_FIELD_NAMES.get(path)
    if original is None:
        return False, None
    node: Any = doc
    for part in original.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def plan_golden_standard(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return the top-level fields to set on one stored participant document; ``{}`` if none."""
    patch: dict[str, Any] = {}
    for name, default in GOLDEN_STANDARD_DEFAULTS.items():
        current = doc.get(name)
        if name not in doc:
            found, legacy = _original_value(doc, name)
            value = deepcopy(legacy) if found else deepcopy(default)
            if name == "quality_history" and isinstance(value, list):
                value = [_history_item(item) for item in value]
            if isinstance(default, dict):
                merged = deepcopy(default)
                if isinstance(value, Mapping):
                    merged.update(_nested_from_original(value, name, default))
                value = merged
            patch[name] = value
        elif isinstance(default, dict) and isinstance(current, Mapping):
            missing = {k: v for k, v in default.items() if k not in current}
            if missing:
                merged = dict(current)
                for key, value in missing.items():
                    found, legacy = _original_value(doc, f"{name}.{key}")
                    merged[key] = deepcopy(legacy) if found else deepcopy(value)
                patch[name] = merged
    version = doc.get("schema_version")
    if patch or not isinstance(version, int) or version < _SCHEMA_VERSION:
        patch["schema_version"] = max(version if isinstance(version, int) else 0, _SCHEMA_VERSION)
    return patch


_HISTORY_KEYS: Final[Mapping[str, str]] = {
    "responsesCount": "responses_count",
    "dayNumber": "day_number",
}


def _history_item(item: Any) -> Any:
    """Rename a legacy ``qualityHistory`` item's camelCase keys."""
    if not isinstance(item, Mapping):
        return item
    return {_HISTORY_KEYS.get(k, k): deepcopy(v) for k, v in item.items()}


def _nested_from_original(
    legacy: Mapping[str, Any], name: str, default: Mapping[str, Any]
) -> dict[str, Any]:
    """Map a legacy camelCase nested record onto our snake_case keys (known keys only)."""
    out: dict[str, Any] = {}
    for key in default:
        original = ORIGINAL_FIELD_NAMES.get(f"{name}.{key}", "").rsplit(".", 1)[-1]
        if key in legacy:
            out[key] = deepcopy(legacy[key])
        elif original and original in legacy:
            out[key] = deepcopy(legacy[original])
    return out
