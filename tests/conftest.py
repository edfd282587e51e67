"""Shared fixtures: real servers for integration tests, and a fake clock for everything else."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests import _services

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(what: str, why: str) -> None:
    message = (
        f"{what} is not reachable ({why}); run .ci/run, or install it and let the tests start it"
    )
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class FakeClock:
    """A monotonic clock that moves only when told to; also usable as ``sleep``."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def mongo_uri() -> str:
    uri = os.environ.get("MONGO_URI")
    if not uri:
        try:
            uri = _services.start_mongo()
        except (_services.ServiceUnavailable, OSError) as exc:
            _unavailable("The MongoDB-wire server", str(exc))
        os.environ["MONGO_URI"] = uri
    import pymongo

    client: Any = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        client.admin.command("ping")
    except Exception as exc:
        _unavailable("The MongoDB-wire server", f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    return uri


@pytest.fixture
def mongo_db_name(mongo_uri: str) -> Iterator[str]:
    """A fresh database name for one test, dropped afterwards."""
    import pymongo

    name = f"esm_test_{uuid.uuid4().hex[:12]}"
    yield name
    client: Any = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000)
    try:
        client.drop_database(name)
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        try:
            url = _services.start_redis()
        except (_services.ServiceUnavailable, OSError) as exc:
            _unavailable("redis-server", str(exc))
        os.environ["REDIS_URL"] = url
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except Exception as exc:
        _unavailable("redis-server", f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    return url


#: Fixtures that reach a real server: a test using one is an ``integration`` test.
_SERVER_FIXTURES = frozenset({"mongo_uri", "mongo_db_name", "redis_url"})


#: Parameter values that select a store on the MongoDB-wire server.
_SERVER_PARAMS = frozenset({"mongo", "mongodb"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``integration`` each test that uses a server fixture or a MongoDB parameter.

    A fixture parametrised ``["sqlite", "mongodb"]`` asks for the server only inside the test
    (``request.getfixturevalue``), so its parameter says so. ``nox -s quick`` skips them all.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        uses_server = _SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if uses_server or any(isinstance(p, str) and p in _SERVER_PARAMS for p in params):
            item.add_marker(pytest.mark.integration)
