"""The bot's records (participants, beeps, reports, audit events: frozen attrs, no I/O, fields in
docs/storage.md) and its one clock :func:`utc_now`; datetimes: UTC cut to ms by :func:`utc_ms`."""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

import attrs

__all__ = [
    "ORIGINAL_FIELD_NAMES",
    "AddressForm",
    "Beep",
    "BeepStatus",
    "CommonPatterns",
    "Event",
    "Participant",
    "ParticipantStatus",
    "PhenomenaFrequencies",
    "Preferences",
    "QualityRecord",
    "Report",
    "beep_id",
    "new_id",
    "utc_ms",
    "utc_now",
]


def new_id() -> str:
    """Return a fresh random identifier (32 hex digits) for a participant, report or event."""
    return uuid.uuid4().hex


def beep_id(participant_id: str, local_date: dt.date, index: int) -> str:
    """The id of a participant's ``index``-th beep on ``local_date`` (the same for a replan)."""
    return f"{participant_id}:{local_date.isoformat()}:{index}"


class ParticipantStatus(enum.StrEnum):
    """Where a participant is in the study protocol."""

    REGISTERED = "registered"  # started the bot, has not accepted the consent text
    CONSENTED = "consented"  # accepted the consent text (version recorded), not training yet
    TRAINING = "training"  # in the training days
    SAMPLING = "sampling"  # in the main sampling phase
    COMPLETED = "completed"  # finished the study
    PAUSED = "paused"  # by the participant; ``status_before_pause`` says where to resume
    WITHDRAWN = "withdrawn"  # left the study; no more beeps


class BeepStatus(enum.StrEnum):
    """The lifecycle of one beep."""

    SCHEDULED = "scheduled"  # planned, not yet sent
    SENT = "sent"  # delivered to Telegram; waiting for the report
    ANSWERED = "answered"  # a report arrived (on time or late: ``Report.late``)
    EXPIRED = "expired"  # the answer window closed without a report
    MISSED = "missed"  # never delivered (unreachable, or too late to send after downtime)
    CANCELLED = "cancelled"  # withdrawn before sending (pause, withdrawal, re-planning)


class AddressForm(enum.StrEnum):
    """How the bot addresses the participant (Russian "ты" or "вы")."""

    INFORMAL = "informal"
    FORMAL = "formal"


def utc_ms(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC cut to whole milliseconds (what MongoDB keeps); ValueError if naive."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
    value = value.astimezone(dt.UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _opt_utc_ms(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc_ms(value)


def utc_now() -> dt.datetime:
    """The bot's one wall clock: now, timezone-aware, in UTC (every part takes it injected)."""
    return dt.datetime.now(dt.UTC)


@attrs.frozen
class QualityRecord:
    """One finished day's average quality (original ``qualityHistory`` item)."""

    date: dt.date
    score: float
    responses_count: int
    day_number: int


@attrs.frozen
class PhenomenaFrequencies:
    """How often each of the five common phenomena appeared (original ``phenomenaFrequencies``)."""

    inner_speech: int = 0
    inner_seeing: int = 0
    unsymbolized_thinking: int = 0
    feeling: int = 0
    sensory_awareness: int = 0


@attrs.frozen
class CommonPatterns:
    """The reporting habits the feedback adapts to (original ``commonPatterns``; None: unknown)."""

    uses_inner_speech: bool | None = None
    tendency_to_generalize: float = 0
    introspective_accuracy: float = 0
    preferred_response_length: float = 0
    reading_voice_illusion: bool | None = None
    emotion_as_thought: bool | None = None
    sensory_detail_richness: float = 0
    moment_capture_ability: float = 0
    emptiness_recognition: float = 0


@attrs.frozen
class Preferences:
    """The participant's switches (original ``preferences``); all on by default."""

    receive_quality_feedback: bool = True
    show_examples: bool = True
    adaptive_questions: bool = True
    training_reminders: bool = True
    use_ai_validation: bool = True


@attrs.frozen
class Participant:
    """One person taking part in the study (``id`` is pseudonymous, never the Telegram id)."""

    id: str
    created_at: dt.datetime = attrs.field(converter=utc_ms)
    telegram_id: int | None = None
    chat_id: int | None = None
    lang: str = attrs.field(default="ru", validator=attrs.validators.in_(("ru", "en")))
    address_form: AddressForm = attrs.field(default=AddressForm.INFORMAL, converter=AddressForm)
    tz: str = "Europe/Moscow"
    window_start: dt.time = dt.time(9, 0)
    window_end: dt.time = dt.time(21, 0)
    beeps_per_day: int = 6
    status: ParticipantStatus = attrs.field(
        default=ParticipantStatus.REGISTERED, converter=ParticipantStatus
    )
    status_before_pause: ParticipantStatus | None = attrs.field(
        default=None, converter=attrs.converters.optional(ParticipantStatus)
    )
    paused_until: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    consent_version: str | None = None
    consented_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    active: bool = True
    updated_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    schema_version: int = 1  # 0: a record from before the golden-standard fields
    training_start_date: dt.date | None = None
    current_training_day: int = 0
    training_completed: bool = False
    average_data_quality: float = 0.0
    quality_history: tuple[QualityRecord, ...] = attrs.field(default=(), converter=tuple)
    phenomena_frequencies: PhenomenaFrequencies = PhenomenaFrequencies()
    common_patterns: CommonPatterns = CommonPatterns()
    preferences: Preferences = Preferences()
    achievements: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    study_day: int = 0
    day_repeats: int = 0
    sampling_start_date: dt.date | None = None
    deleted_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    extra: Mapping[str, Any] = attrs.field(factory=dict)


#: Participant fields from the original MSE bot's golden-standard migration → their names there.
ORIGINAL_FIELD_NAMES: Final[Mapping[str, str]] = {
    **{
        path: re.sub(r"_([a-z])", lambda m: m[1].upper(), path)
        for path in (
            "training_start_date",
            "current_training_day",
            "training_completed",
            "average_data_quality",
            "quality_history",
            "quality_history[].responses_count",
            "quality_history[].day_number",
            *(
                f"{name}{suffix}"
                for name, record in (
                    ("phenomena_frequencies", PhenomenaFrequencies),
                    ("common_patterns", CommonPatterns),
                    ("preferences", Preferences),
                )
                for suffix in ("", *(f".{field.name}" for field in attrs.fields(record)))
            ),
            "achievements",
            "address_form",
        )
    },
    "preferences.use_ai_validation": "preferences.useAIValidation",
    "tz": "timezone",
    "window_start": "notificationStart",
    "window_end": "notificationEnd",
    "beeps_per_day": "notificationsPerDay",
}


@attrs.frozen
class Beep:
    """One planned signal to a participant; its ``id`` is :func:`beep_id` of its plan slot."""

    id: str
    participant_id: str
    local_date: dt.date
    index: int
    scheduled_at: dt.datetime = attrs.field(converter=utc_ms)
    status: BeepStatus = attrs.field(default=BeepStatus.SCHEDULED, converter=BeepStatus)
    study_day: int = 0
    training: bool = False
    tz: str = "UTC"
    sent_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    reminder_sent_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    answered_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    expires_at: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)
    message_id: int | None = None
    claimed_by: str | None = None
    claim_until: dt.datetime | None = attrs.field(default=None, converter=_opt_utc_ms)


@attrs.frozen
class Report:
    """A participant's answer to a beep (or a message without one), with its validation result."""

    id: str
    participant_id: str
    beep_id: str | None
    text: str
    received_at: dt.datetime = attrs.field(converter=utc_ms)
    dedup_key: str = attrs.field(
        default=attrs.Factory(lambda report: f"report:{report.id}", takes_self=True)
    )
    attempt: int = 1
    latency_s: float | None = None
    late: bool = False
    score: int | None = None
    quality: str | None = None
    phenomena: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    issue_codes: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    feedback: str = ""
    source: str = "local"
    fallback_reason: str | None = None
    validator_version: str = ""
    validation_ms: float | None = None
    assessment: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Event:
    """One entry of the append-only audit trail (``seq`` is set by the store on append)."""

    kind: str
    at: dt.datetime = attrs.field(converter=utc_ms)
    participant_id: str | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict)
    id: str = attrs.field(factory=new_id)
    seq: int | None = None
