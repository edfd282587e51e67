"""The MongoDB store (pymongo), for deployments with several bot processes.

Indexes are created on first use, so constructing the store does no I/O and a bot can start while
the database is down; collections, indexes and time-outs are in docs/storage.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import pymongo
import pymongo.errors
from pymongo import ReturnDocument
from pymongo.uri_parser import parse_uri

from esm_bot.domain.models import Beep, Event, utc_ms, utc_now
from esm_bot.domain.redact import redact, redact_uri
from esm_bot.store.base import TABLES, UNSENT, Store
from esm_bot.store.codec import decode, encode, encode_changes
from esm_bot.store.errors import DuplicateKey, StoreError, StoreUnavailable

__all__ = ["MongoStore"]

_NUMBER = {"telegram_id": {"$type": "number"}}  # tombstones without a Telegram id do not clash
#: (collection, indexed fields, options) of every index.
_INDEXES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "participants",
        "telegram_id",
        {"name": "telegram_id_unique", "unique": True, "partialFilterExpression": _NUMBER},
    ),
    ("participants", "status created_at", {}),
    ("participants", "created_at", {}),
    ("beeps", "status scheduled_at", {"name": "due"}),
    ("beeps", "participant_id scheduled_at", {}),
    ("beeps", "scheduled_at", {}),
    ("reports", "dedup_key", {"name": "dedup_key_unique", "unique": True}),
    ("reports", "participant_id received_at", {}),
    ("reports", "received_at", {}),
    ("events", "seq", {"name": "seq_unique", "unique": True}),
    ("events", "participant_id seq", {}),
    ("events", "kind seq", {}),
]

T = TypeVar("T")


def _doc(record: Any) -> dict[str, Any]:
    doc = encode(record, native_datetimes=True)
    doc["_id"] = doc.pop("id")
    return doc


def _raw(doc: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(doc)
    fields["id"] = fields.pop("_id")
    return fields


def _mongo(query: Any) -> Any:
    """A query (:class:`~esm_bot.store.base.Store`) in MongoDB's terms: ``_id``, milliseconds."""
    if isinstance(query, dict):
        return {("_id" if k == "id" else k): _mongo(v) for k, v in query.items()}
    if isinstance(query, list):
        return [_mongo(v) for v in query]
    return utc_ms(query) if isinstance(query, dt.datetime) else query


def _sort(order: tuple[str, ...]) -> list[tuple[str, int]]:
    return [("_id" if k == "id" else k, 1) for k in order]


class MongoStore(Store):
    """A :class:`~esm_bot.store.base.Store` in database ``db_name`` (default the URI's, else
    ``esm_bot``) of a ``pymongo.MongoClient`` (the caller's) or a URI (then the store's own)."""

    backend = "mongodb"

    def __init__(
        self,
        client_or_uri: Any,
        db_name: str | None = None,
        *,
        utcnow: Callable[[], dt.datetime] = utc_now,
        server_selection_timeout_ms: int = 3000,
        connect_timeout_ms: int = 3000,
        socket_timeout_ms: int = 10000,
    ) -> None:
        self._utcnow = utcnow
        if isinstance(client_or_uri, str):
            try:
                parsed = parse_uri(client_or_uri)
            except (pymongo.errors.InvalidURI, pymongo.errors.ConfigurationError, ValueError) as e:
                raise StoreError(f"invalid MongoDB URI {redact_uri(client_or_uri)}: {e}") from None
            self._password = parsed.get("password") or None
            db_name = db_name or parsed.get("database")
            nodes = parsed["nodelist"]
            self._client: Any = pymongo.MongoClient(
                client_or_uri,
                serverSelectionTimeoutMS=server_selection_timeout_ms,
                connectTimeoutMS=connect_timeout_ms,
                socketTimeoutMS=socket_timeout_ms,
                tz_aware=True,
                appname="esm-bot",
            )
            self._owns_client = True
        else:
            self._client = client_or_uri
            self._owns_client = False
            self._password = None
            nodes = getattr(getattr(client_or_uri, "_topology_settings", None), "seeds", None) or []
        self.db_name = db_name or "esm_bot"
        self.target = ",".join(f"{host}:{port}" for host, port in nodes) + f"/{self.db_name}"
        self._db = self._client[self.db_name]
        self._indexed = False
        self._index_lock = threading.Lock()
        self._closed = False

    def _safe(self, exc: BaseException) -> str:
        return redact(str(exc), [self._password] if self._password else [])[:300]

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        if self._closed:
            raise StoreUnavailable(f"the MongoDB store {self.target} is closed")
        try:
            yield
        except pymongo.errors.DuplicateKeyError as exc:
            raise DuplicateKey(self._safe(exc)) from None
        except pymongo.errors.ConnectionFailure as e:  # server selection, network, cancellation
            raise StoreUnavailable(
                f"MongoDB at {self.target} is unreachable: {type(e).__name__}: {self._safe(e)}"
            ) from None
        except pymongo.errors.PyMongoError as exc:
            raise StoreError(f"MongoDB at {self.target}: {self._safe(exc)}") from None

    @contextlib.contextmanager
    def _op(self) -> Iterator[None]:
        with self._errors():
            self._ensure_indexes()
            yield

    def _ensure_indexes(self) -> None:
        if self._indexed:
            return
        with self._index_lock:
            for collection, keys, options in _INDEXES:
                self._db[collection].create_index([(k, 1) for k in keys.split()], **options)
            self._indexed = True

    def _find(self, cls: type[T], query: dict[str, Any], limit: int | None = None) -> list[T]:
        table, order = TABLES[cls]
        with self._op():
            cursor = self._db[table].find(_mongo(query)).sort(_sort(order))
            if limit is not None:
                cursor = cursor.limit(limit)
            docs = list(cursor)
        return [decode(cls, _raw(d)) for d in docs]

    def _iter(self, cls: type[T], query: dict[str, Any], *, raw: bool = False) -> Iterator[Any]:
        table, order = TABLES[cls]
        with self._op():
            for doc in self._db[table].find(_mongo(query)).sort(_sort(order)):
                yield _raw(doc) if raw else decode(cls, _raw(doc))

    def _set(
        self, cls: type[T], query: dict[str, Any], fields: dict[str, Any], *, raw: bool = False
    ) -> T | dict[str, Any] | None:
        collection = self._db[TABLES[cls][0]]
        update = fields if raw else encode_changes(cls, fields, native_datetimes=True)
        with self._op():
            if update:
                doc = collection.find_one_and_update(
                    _mongo(query), {"$set": update}, return_document=ReturnDocument.AFTER
                )
            else:
                doc = collection.find_one(_mongo(query))
        return doc if raw or doc is None else decode(cls, _raw(doc))

    def ping(self) -> float:
        started = time.perf_counter()
        with self._errors():
            self._client.admin.command("ping")
        return time.perf_counter() - started

    def close(self) -> None:
        """Close the client if this store created it (safe to call twice)."""
        if not self._closed and self._owns_client:
            self._client.close()
        self._closed = True

    def _insert(self, record: T, *, replace: bool = False) -> T:
        with self._op():
            if isinstance(record, Event):
                counter = self._db["counters"].find_one_and_update(
                    {"_id": "events"},
                    {"$inc": {"seq": 1}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
                record = attrs.evolve(record, seq=int(counter["seq"]))
            doc = _doc(record)
            collection = self._db[TABLES[type(record)][0]]
            if replace:
                collection.replace_one({"_id": doc["_id"]}, doc, upsert=True)
            else:
                collection.insert_one(doc)
        return record

    def _delete(self, cls: type[Any], query: dict[str, Any]) -> int:
        with self._op():
            return int(self._db[TABLES[cls][0]].delete_many(_mongo(query)).deleted_count)

    def _set_all(self, cls: type[Any], query: dict[str, Any], fields: dict[str, Any]) -> int:
        with self._op():
            result = self._db[TABLES[cls][0]].update_many(_mongo(query), {"$set": fields})
        return int(result.matched_count)

    def upsert_beeps(self, beeps: Iterable[Beep], *, replace_unsent: bool = False) -> int:
        """One unordered bulk write for all the beeps (the base class's writes one at a time would
        cost a round trip to the server each), retried when a concurrent planner won an id."""
        ops: list[Any] = []
        for beep in beeps:
            doc = _doc(beep)
            if replace_unsent:
                fields = {k: v for k, v in doc.items() if k != "_id"}
                ops.append(
                    pymongo.UpdateOne(
                        {"_id": doc["_id"], "status": {"$in": UNSENT}, "claimed_by": None},
                        {"$set": fields},
                    )
                )
            ops.append(pymongo.UpdateOne({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True))
        if not ops:
            return 0
        written = 0
        with self._op():
            for attempt in range(3):
                # Unordered: the ops of one beep give the same result in any order.
                try:
                    result = self._db["beeps"].bulk_write(ops, ordered=False)
                except pymongo.errors.BulkWriteError as exc:
                    details = exc.details
                    written += int(details.get("nUpserted", 0)) + int(details.get("nModified", 0))
                    errors = details.get("writeErrors", [])
                    if attempt == 2 or any(e.get("code") != 11000 for e in errors):
                        raise
                    # A concurrent planner inserted some of these ids first; the retry is a
                    # no-op for them and completes the rest.
                    continue
                return written + int(result.upserted_count) + int(result.modified_count)
        return written

    def counts(self) -> dict[str, int]:
        with self._op():
            return {name: int(self._db[name].count_documents({})) for name, _ in TABLES.values()}

    def get_meta(self, key: str) -> Any:
        with self._op():
            doc = self._db["meta"].find_one({"_id": key})
        return None if doc is None else doc.get("value")

    def set_meta(self, key: str, value: Any) -> None:
        with self._op():
            self._db["meta"].update_one({"_id": key}, {"$set": {"value": value}}, upsert=True)
