"""The answer cache: :class:`CachingValidator` and its stores.

Only AI answers are stored (``source == "ai"`` and no ``fallback_reason``), so a short AI outage
never pins local results for a day. A hit returns the stored answer with ``cached=True`` and does
not reach the layers below: no rate-limit quota, no network, no retries.

Keys are ``hashlib.md5(payload, usedforsecurity=False).hexdigest()`` (FIPS-safe) over a versioned
canonical JSON payload: the normalised text (Unicode NFC, whitespace collapsed, stripped), the
language, the training day (the AI prompt gives it as context, so it changes the answer) and the
validator's ``cache_identity`` (provider, model, prompt version, schema version). The user id is not
part of the key: the same words get the same assessment whoever wrote them.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import cachetools

from esm_validate._types import Assessment
from esm_validate.protocols import CacheStore, Validator

from ._base import ForwardingLayer, close_quietly, forward_attr, inner_stats

__all__ = [
    "CACHE_KEY_VERSION",
    "CachingValidator",
    "MemoryCacheStore",
    "cache_key",
    "is_cacheable",
    "normalise_text",
]

#: Bump when the key payload changes shape, so old entries (e.g. in Redis) are never read.
CACHE_KEY_VERSION: Final = 1


def normalise_text(text: str) -> str:
    """Return ``text`` in Unicode NFC with runs of whitespace collapsed to one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cache_key(
    text: str,
    *,
    lang: str | None,
    training_day: int | None,
    identity: Sequence[object],
) -> str:
    """Return the cache key of one request: an MD5 hex digest of a versioned canonical payload.

    Args:
        text: The report (normalised here with :func:`normalise_text`).
        lang: The language asked for (None when the validator detects it).
        training_day: The participant's training day (None outside training).
        identity: What else changes the answer: provider, model, prompt and schema versions.
    """
    # A JSON array in a fixed order: [version, text, lang, day, [identity...]].
    payload = [
        CACHE_KEY_VERSION,
        normalise_text(text),
        lang,
        training_day,
        [str(part) for part in identity],
    ]
    blob = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.md5(blob.encode("utf-8"), usedforsecurity=False).hexdigest()


def is_cacheable(assessment: Assessment) -> bool:
    """True for answers worth keeping: from the AI, not a fallback, not already from a cache."""
    return (
        assessment.source == "ai" and assessment.fallback_reason is None and not assessment.cached
    )


class MemoryCacheStore:
    """An in-process store: a cachetools ``TTLCache`` behind a lock.

    Entries expire ``ttl`` seconds after they are stored (expired ones are removed automatically on
    the next write or size check); beyond ``maxsize`` the least recently used entry is dropped.

    Args:
        ttl: Seconds an entry lives (default one day).
        maxsize: The most entries kept (default 1000).
        timer: The clock the TTL is measured on (``time.monotonic``; a fake one in tests).
    """

    def __init__(
        self,
        *,
        ttl: float = 86_400.0,
        maxsize: int = 1000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if not ttl > 0:
            raise ValueError(f"ttl must be > 0 seconds, got {ttl!r}")
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize!r}")
        self.ttl = float(ttl)
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._cache: cachetools.TTLCache[str, Assessment] = cachetools.TTLCache(
            maxsize=maxsize, ttl=ttl, timer=timer
        )

    def get(self, key: str) -> Assessment | None:
        """Return the live entry for ``key`` (and mark it recently used), or None."""
        with self._lock:
            return self._cache.get(key)

    def set(self, key: str, value: Assessment) -> None:
        """Store ``value``; this also purges expired entries and evicts the LRU one when full."""
        with self._lock:
            self._cache[key] = value

    def __len__(self) -> int:
        """Return the number of live entries (expired ones are purged first)."""
        with self._lock:
            self._cache.expire()
            return len(self._cache)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._cache.clear()

    def __repr__(self) -> str:
        return f"MemoryCacheStore(ttl={self.ttl:g}, maxsize={self.maxsize})"


@attrs.define
class _Counters:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    bypassed: int = 0


class CachingValidator(ForwardingLayer):
    """A layer that answers repeated reports from a cache of earlier AI answers.

    Args:
        inner: The validator to call on a miss (usually the fallback layer).
        ttl: Seconds an answer stays (default one day); used when ``store`` is None.
        maxsize: The most answers kept, LRU beyond (default 1000); used when ``store`` is None.
        timer: The clock of the in-memory store's TTL.
        store: Where answers live; default a :class:`MemoryCacheStore`. Pass a
            :class:`~esm_validate.RedisCacheStore` to share between processes.
        identity: What besides the request changes the answer; default ``inner.cache_identity``
            (provider, model, prompt and schema versions), forwarded by every layer.

    Thread-safe: the store locks itself and the counters are updated under a lock. Two threads
    that miss on the same key at once both call ``inner`` (no stampede lock: identical reports
    arriving together are rare, and the rate limiter bounds the cost).
    """

    def __init__(
        self,
        inner: Validator,
        *,
        ttl: float = 86_400.0,
        maxsize: int = 1000,
        timer: Callable[[], float] = time.monotonic,
        store: CacheStore | None = None,
        identity: Sequence[object] | None = None,
    ) -> None:
        self.inner = inner
        self.store: CacheStore = (
            store if store is not None else MemoryCacheStore(ttl=ttl, maxsize=maxsize, timer=timer)
        )
        self.maxsize = getattr(self.store, "maxsize", maxsize)
        if identity is None:
            identity = forward_attr(inner, "cache_identity") or (type(inner).__qualname__,)
        self.identity: tuple[object, ...] = tuple(identity)
        self._lock = threading.Lock()
        self._counters = _Counters()

    @property
    def cache_identity(self) -> tuple[object, ...]:
        """The identity that goes into every key."""
        return self.identity

    def key(self, text: str, *, training_day: int | None = None, lang: str | None = None) -> str:
        """Return the cache key this layer uses for a request."""
        return cache_key(text, lang=lang, training_day=training_day, identity=self.identity)

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        """Return the cached answer (``cached=True``) or ask ``inner`` and keep an AI answer."""
        if not isinstance(text, str):
            raise TypeError(f"report text must be a str, got {type(text).__name__}")
        key = self.key(text, training_day=training_day, lang=lang)
        hit = self.store.get(key)
        if hit is not None:
            with self._lock:
                self._counters.hits += 1
            return hit if hit.cached else attrs.evolve(hit, cached=True)
        with self._lock:
            self._counters.misses += 1
        answer = self.inner.validate(text, user_id=user_id, training_day=training_day, lang=lang)
        if is_cacheable(answer):
            # Stored already marked: a hit from memory is then returned without a copy.
            self.store.set(key, attrs.evolve(answer, cached=True))
            with self._lock:
                self._counters.stored += 1
        else:
            with self._lock:
                self._counters.bypassed += 1
        return answer

    @property
    def hits(self) -> int:
        """Requests answered from the cache."""
        return self._counters.hits

    @property
    def misses(self) -> int:
        """Requests passed to ``inner``."""
        return self._counters.misses

    def clear(self) -> None:
        """Drop every cached answer (counters are kept)."""
        self.store.clear()

    def stats(self) -> Mapping[str, Any]:
        """Return ``inner``'s stats plus ``cache_size``, ``cache_hits``, ``cache_misses``, ..."""
        merged = inner_stats(self.inner)
        with self._lock:
            counters = attrs.evolve(self._counters)
        lookups = counters.hits + counters.misses
        merged.update(
            cache_size=len(self.store),
            cache_maxsize=self.maxsize,
            cache_hits=counters.hits,
            cache_misses=counters.misses,
            cache_hit_rate=counters.hits / lookups if lookups else 0.0,
            cache_stored=counters.stored,
            cache_bypassed=counters.bypassed,
        )
        return merged

    def close(self) -> None:
        """Close the wrapped validator and the store (if they have ``close``)."""
        close_quietly(self.inner)
        close_quietly(self.store)

    def __repr__(self) -> str:
        return f"CachingValidator({self.inner!r}, store={self.store!r})"
