"""Records survive the trip to a stored document and back (pure logic, property-based)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esm_bot.domain.models import (
    AddressForm,
    Beep,
    BeepStatus,
    CommonPatterns,
    Event,
    Participant,
    ParticipantStatus,
    PhenomenaFrequencies,
    Preferences,
    QualityRecord,
    Report,
    utc_ms,
)
from esm_bot.domain.redact import redact_uri
from esm_bot.store import StoreError, open_store
from esm_bot.store.codec import check_changes, decode, encode

aware = st.datetimes(
    min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.timezones()
)
text = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)

participants = st.builds(
    Participant,
    id=text,
    created_at=aware,
    telegram_id=st.none() | st.integers(1, 2**52),
    lang=st.sampled_from(["ru", "en"]),
    address_form=st.sampled_from(AddressForm),
    tz=st.sampled_from(["Europe/Moscow", "Asia/Kathmandu", "Australia/Lord_Howe"]),
    window_start=st.times(),
    window_end=st.times(),
    status=st.sampled_from(ParticipantStatus),
    status_before_pause=st.none() | st.sampled_from(ParticipantStatus),
    paused_until=st.none() | aware,
    training_start_date=st.none() | st.dates(),
    average_data_quality=st.floats(0, 100),
    quality_history=st.lists(
        st.builds(
            QualityRecord, st.dates(), st.floats(0, 100), st.integers(0, 50), st.integers(1, 30)
        ),
        max_size=4,
    ).map(tuple),
    phenomena_frequencies=st.builds(PhenomenaFrequencies, inner_speech=st.integers(0, 999)),
    common_patterns=st.builds(CommonPatterns, uses_inner_speech=st.none() | st.booleans()),
    preferences=st.builds(Preferences, show_examples=st.booleans()),
    achievements=st.lists(text, max_size=3).map(tuple),
    extra=st.dictionaries(text, json_values, max_size=3),
)

beeps = st.builds(
    Beep,
    id=text,
    participant_id=text,
    local_date=st.dates(),
    index=st.integers(0, 19),
    scheduled_at=aware,
    status=st.sampled_from(BeepStatus),
    sent_at=st.none() | aware,
    claim_until=st.none() | aware,
    message_id=st.none() | st.integers(1, 2**40),
)

reports = st.builds(
    Report,
    id=text,
    participant_id=text,
    beep_id=st.none() | text,
    text=st.text(max_size=300),
    received_at=aware,
    latency_s=st.none() | st.floats(0, 1e6),
    phenomena=st.lists(text, max_size=3).map(tuple),
    assessment=st.dictionaries(text, json_values, max_size=4),
)

events = st.builds(Event, kind=text, at=aware, data=st.dictionaries(text, json_values, max_size=3))


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.one_of(participants, beeps, reports, events))
def test_every_record_round_trips_through_json_and_native_documents(record: object) -> None:
    cls = type(record)
    as_json = json.loads(json.dumps(encode(record), ensure_ascii=False))
    assert decode(cls, as_json) == record
    assert decode(cls, encode(record, native_datetimes=True)) == record


@given(aware)
def test_datetimes_are_utc_milliseconds(moment: dt.datetime) -> None:
    normal = utc_ms(moment)
    assert normal.tzinfo is dt.UTC
    assert normal.microsecond % 1000 == 0
    assert abs((normal - moment).total_seconds()) < 0.001


def test_naive_datetimes_and_bad_values_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Participant(id="p", created_at=dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="lang"):
        Participant(id="p", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), lang="de")
    with pytest.raises(ValueError):
        Beep(
            id="b",
            participant_id="p",
            local_date=dt.date(2026, 1, 1),
            index=0,
            scheduled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            status="exploded",
        )
    with pytest.raises(TypeError, match="no field"):
        check_changes(Participant, {"colour": "red"})


def test_a_document_without_the_golden_standard_fields_gets_their_defaults() -> None:
    old = decode(Participant, {"id": "p", "created_at": "2026-01-01T00:00:00+00:00"})
    assert old.preferences == Preferences()
    assert old.common_patterns == CommonPatterns()
    assert old.quality_history == ()


def test_redact_uri_hides_only_the_password() -> None:
    assert (
        redact_uri("mongodb://bob:pa:ss@h1:1,h2:2/db?x=1") == "mongodb://bob:***@h1:1,h2:2/db?x=1"
    )
    assert redact_uri("mongodb://h1/db") == "mongodb://h1/db"
    assert redact_uri("mongodb+srv://bob@cluster/db") == "mongodb+srv://bob@cluster/db"


def test_an_invalid_mongodb_uri_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(StoreError, match="invalid MongoDB URI") as caught:
        open_store(mongodb_uri="mongodb://bob:hunter2@/no-host", resilient=False)
    assert "hunter2" not in str(caught.value)
