"""Convert the records of :mod:`esm_bot.domain.models` to stored documents and back.

A document is a dict of the record's field names: enums become values, dates ISO strings, nested
records dicts, tuples lists; datetimes ISO strings (SQLite, the journal) or datetimes (MongoDB,
``native_datetimes=True``). Decoding gives a missing field its default and ignores unknown keys.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import attr
import attrs

from esm_bot.domain.models import Beep, Participant

__all__ = [
    "check_changes",
    "decode",
    "decode_value",
    "encode",
    "encode_changes",
    "field_types",
]

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

#: Minimal valid records, evolved to validate field-level changes without reading the database.
_TEMPLATES: dict[type[Any], Any] = {
    Participant: Participant(id="-", created_at=_EPOCH),
    Beep: Beep(id="-", participant_id="-", local_date=_EPOCH.date(), index=0, scheduled_at=_EPOCH),
}


_FIELD_TYPES: dict[type[Any], dict[str, Any]] = {}


def field_types(cls: type[Any]) -> dict[str, Any]:
    """Return ``{field name: resolved type}`` of an attrs class."""
    if cls not in _FIELD_TYPES:
        _FIELD_TYPES[cls] = {f.name: f.type for f in attrs.fields(attrs.resolve_types(cls))}
    return _FIELD_TYPES[cls]


def _optional_inner(tp: Any) -> Any:
    """Return ``X`` for ``X | None``, else None."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return None


def _stored(native_datetimes: bool, _: Any, __: Any, value: Any) -> Any:
    """A value's stored form (with ``functools.partial``, the ``value_serializer`` of asdict)."""
    if isinstance(value, dt.datetime):
        return value if native_datetimes else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping) and not isinstance(value, dict):
        return dict(value)
    return value


def encode(record: Any, *, native_datetimes: bool = False) -> dict[str, Any]:
    """Return the stored document of an attrs record."""
    stored = functools.partial(_stored, native_datetimes)
    return attr.asdict(record, retain_collection_types=False, value_serializer=stored)


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    moment: dt.datetime = value
    if moment.tzinfo is None:  # pymongo without tz_aware: BSON datetimes are UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def decode_value(tp: Any, value: Any) -> Any:
    """Decode one stored value into declared type ``tp``."""
    if value is None:
        return None
    inner = _optional_inner(tp)
    if inner is not None:
        return decode_value(inner, value)
    if tp is dt.datetime:
        return _to_datetime(value)
    if tp is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    if tp is dt.time:
        return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if isinstance(tp, type) and attrs.has(tp):
        return decode(tp, value)
    origin = typing.get_origin(tp)
    if origin is tuple:
        item = typing.get_args(tp)[0]
        return tuple(decode_value(item, v) for v in value)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if origin is not None and isinstance(value, Mapping):
        return dict(value)
    return value


def decode(cls: type[T], doc: Mapping[str, Any]) -> T:
    """Build a record of class ``cls`` from its stored document (missing fields take defaults)."""
    types_ = field_types(cls)
    kwargs = {name: decode_value(tp, doc[name]) for name, tp in types_.items() if name in doc}
    return cls(**kwargs)


def _changed(cls: type[Any], changes: Mapping[str, Any]) -> Any:
    if "id" in changes:
        raise TypeError(f"the id of a {cls.__name__} cannot be changed")
    unknown = sorted(set(changes) - set(field_types(cls)))
    if unknown:
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    return attrs.evolve(_TEMPLATES[cls], **changes)


def check_changes(cls: type[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Run the record's validators and converters on field-level changes; return them converted.

    Raises TypeError (not a field of ``cls``, or ``id``: ids never change) or ValueError.
    """
    checked = _changed(cls, changes)
    return {name: getattr(checked, name) for name in changes}


def encode_changes(
    cls: type[Any], changes: Mapping[str, Any], *, native_datetimes: bool = False
) -> dict[str, Any]:
    """Check field-level changes as :func:`check_changes` does and encode them for storage."""
    doc = encode(_changed(cls, changes), native_datetimes=native_datetimes)
    return {name: doc[name] for name in changes}
