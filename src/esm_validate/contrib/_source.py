"""Read a metrics snapshot from a :class:`~esm_validate.Metrics` or a composed validator."""

from __future__ import annotations

from typing import Any

from esm_validate._metrics import Metrics
from esm_validate.protocols import Validator

__all__ = ["MetricsSource", "read_snapshot"]


#: What the exporters accept: a ``Metrics`` or a validator whose ``stats()`` has a ``metrics`` dict.
MetricsSource = Metrics | Validator


def read_snapshot(source: MetricsSource) -> dict[str, Any]:
    """Return the metrics snapshot of ``source``, plus ``cache_size`` when a validator gives one."""
    if isinstance(source, Metrics):
        return source.snapshot()
    stats = dict(source.stats())
    snapshot = dict(stats.get("metrics") or stats)
    snapshot["cache_size"] = stats.get("cache_size", 0)
    snapshot["provider"] = stats.get("provider", "local")
    return snapshot
