"""The bot's data model: participants, beeps, reports and audit events.

Frozen attrs value types, no I/O. Every store (:mod:`esm_bot.store`) keeps exactly these records.
Change one by ``attrs.evolve`` (or the store's field-level ``update_*`` methods), never in place.

Python names are snake_case. The participant fields that come from the original MSE bot's
golden-standard migration keep their meaning; :data:`ORIGINAL_FIELD_NAMES` maps each to its
camelCase name there (``training_start_date`` is ``trainingStartDate`` and so on); "original" in
the attribute notes below names that bot's field or default.

All datetimes are timezone-aware UTC, truncated to milliseconds (:func:`utc_ms`). Local days
(:attr:`Beep.local_date`) and waking windows
(:attr:`Participant.window_start`) are in the participant's own zone (:attr:`Participant.tz`).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from typing import Any, Final

import attrs

__all__ = [
    "ORIGINAL_FIELD_NAMES",
    "PARTICIPANT_SCHEMA_VERSION",
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
]

#: Schema version of a participant record written by this code. Version 0 is a record that predates
#: the golden-standard fields (original ``addGoldenStandardFields`` migration brings it to 1).
PARTICIPANT_SCHEMA_VERSION: Final[int] = 1


def new_id() -> str:
    """Return a fresh random identifier (32 hex digits) for a participant, report or event."""
    return uuid.uuid4().hex


def beep_id(participant_id: str, local_date: dt.date, index: int) -> str:
    """Return the deterministic id of a participant's ``index``-th beep on ``local_date``.

    The same plan always gives the same ids, so storing a day's plan twice is a no-op.
    """
    return f"{participant_id}:{local_date.isoformat()}:{index}"


class ParticipantStatus(enum.StrEnum):
    """Where a participant is in the study protocol."""

    #: Started the bot; has not accepted the consent text.
    REGISTERED = "registered"
    #: Accepted the consent text (version recorded); training not started.
    CONSENTED = "consented"
    #: In training days 1..3.
    TRAINING = "training"
    #: In the main sampling phase.
    SAMPLING = "sampling"
    #: Finished the study.
    COMPLETED = "completed"
    #: Paused by the participant; :attr:`Participant.status_before_pause` says where to resume.
    PAUSED = "paused"
    #: Left the study; no more beeps.
    WITHDRAWN = "withdrawn"


class BeepStatus(enum.StrEnum):
    """The lifecycle of one beep."""

    #: Planned, not yet sent.
    SCHEDULED = "scheduled"
    #: Delivered to Telegram; waiting for the report.
    SENT = "sent"
    #: A report arrived (on time or late; see :attr:`Report.late`).
    ANSWERED = "answered"
    #: The answer window closed without a report.
    EXPIRED = "expired"
    #: Never delivered (participant unreachable, or too late to send after downtime).
    MISSED = "missed"
    #: Withdrawn before sending (pause, withdrawal, re-planning after a settings change).
    CANCELLED = "cancelled"


class AddressForm(enum.StrEnum):
    """How the bot addresses the participant (Russian "ты" or "вы")."""

    INFORMAL = "informal"
    FORMAL = "formal"


def utc_ms(value: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC, truncated to whole milliseconds (what MongoDB keeps).

    Every datetime in a record passes through this, so a record reads back equal from either store.

    Raises:
        ValueError: ``value`` is naive (has no time zone).
    """
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
    value = value.astimezone(dt.UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _opt_utc_ms(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc_ms(value)


def _lang(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if value not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {value!r}")


@attrs.frozen
class QualityRecord:
    """One day's quality in a participant's history (original ``qualityHistory`` item).

    Attributes:
        date: The participant's local day.
        score: Average score (0..100) of the day's reports.
        responses_count: How many reports the average covers (original ``responsesCount``).
        day_number: The study day (original ``dayNumber``; training days are 1..3).
    """

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
    """The participant's reporting habits the feedback adapts to (original ``commonPatterns``).

    ``None`` means "not known yet" for the three yes/no patterns.
    """

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
    """One person taking part in the study.

    Attributes:
        id: Internal pseudonymous id (not the Telegram id); see :func:`new_id`.
        created_at: When the participant first started the bot (UTC).
        telegram_id: Telegram user id, or None once the personal data is deleted.
        chat_id: Telegram chat to write to, or None once deleted.
        lang: ``"ru"`` or ``"en"``.
        address_form: Informal or formal address.
        tz: IANA time zone name (the participant's own; beeps are planned in it).
        window_start: Local start of the waking window (beeps are planned inside it).
        window_end: Local end of the waking window (may be before the start: crosses midnight).
        beeps_per_day: Beeps per day (the original MSE bot's default is 6).
        status: Where the participant is in the protocol.
        status_before_pause: The status to resume to after a pause.
        paused_until: When a pause ends by itself (UTC), if it was given an end.
        consent_version: Version of the consent text accepted, if any.
        consented_at: When it was accepted (UTC).
        active: False once the participant blocked the bot (Telegram answered 403).
        updated_at: Last change (UTC); stores set it on every update.
        schema_version: Version of this record's schema (see :data:`PARTICIPANT_SCHEMA_VERSION`).
        training_start_date: Local day training began (original ``trainingStartDate``).
        current_training_day: 0 before training, then 1..3 (original ``currentTrainingDay``).
        training_completed: Training passed (original ``trainingCompleted``).
        average_data_quality: Running average score 0..100 (original ``averageDataQuality``).
        quality_history: One record per finished day (original ``qualityHistory``).
        phenomena_frequencies: Phenomena counts (original ``phenomenaFrequencies``).
        common_patterns: Reporting habits (original ``commonPatterns``).
        preferences: The participant's switches (original ``preferences``).
        achievements: Achievement codes earned (original ``achievements``; unused by default).
        study_day: The study day the participant is on (1-based; 0 before the first beep day).
        day_repeats: How many times the current training day has been repeated.
        sampling_start_date: Local day the main sampling phase began, if it has.
        deleted_at: When the participant's data was deleted on request (then this is a tombstone).
        extra: Free-form JSON-compatible settings for additions that need no schema change.
    """

    id: str
    created_at: dt.datetime = attrs.field(converter=utc_ms)
    telegram_id: int | None = None
    chat_id: int | None = None
    lang: str = attrs.field(default="ru", validator=_lang)
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
    schema_version: int = PARTICIPANT_SCHEMA_VERSION
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


#: Participant fields that come from the original MSE bot's golden-standard migration, with
#: their names there.
ORIGINAL_FIELD_NAMES: Final[Mapping[str, str]] = {
    "training_start_date": "trainingStartDate",
    "current_training_day": "currentTrainingDay",
    "training_completed": "trainingCompleted",
    "average_data_quality": "averageDataQuality",
    "quality_history": "qualityHistory",
    "quality_history[].responses_count": "qualityHistory[].responsesCount",
    "quality_history[].day_number": "qualityHistory[].dayNumber",
    "phenomena_frequencies": "phenomenaFrequencies",
    "phenomena_frequencies.inner_speech": "phenomenaFrequencies.innerSpeech",
    "phenomena_frequencies.inner_seeing": "phenomenaFrequencies.innerSeeing",
    "phenomena_frequencies.unsymbolized_thinking": "phenomenaFrequencies.unsymbolizedThinking",
    "phenomena_frequencies.feeling": "phenomenaFrequencies.feeling",
    "phenomena_frequencies.sensory_awareness": "phenomenaFrequencies.sensoryAwareness",
    "common_patterns": "commonPatterns",
    "common_patterns.uses_inner_speech": "commonPatterns.usesInnerSpeech",
    "common_patterns.tendency_to_generalize": "commonPatterns.tendencyToGeneralize",
    "common_patterns.introspective_accuracy": "commonPatterns.introspectiveAccuracy",
    "common_patterns.preferred_response_length": "commonPatterns.preferredResponseLength",
    "common_patterns.reading_voice_illusion": "commonPatterns.readingVoiceIllusion",
    "common_patterns.emotion_as_thought": "commonPatterns.emotionAsThought",
    "common_patterns.sensory_detail_richness": "commonPatterns.sensoryDetailRichness",
    "common_patterns.moment_capture_ability": "commonPatterns.momentCaptureAbility",
    "common_patterns.emptiness_recognition": "commonPatterns.emptinessRecognition",
    "preferences": "preferences",
    "preferences.receive_quality_feedback": "preferences.receiveQualityFeedback",
    "preferences.show_examples": "preferences.showExamples",
    "preferences.adaptive_questions": "preferences.adaptiveQuestions",
    "preferences.training_reminders": "preferences.trainingReminders",
    "preferences.use_ai_validation": "preferences.useAIValidation",
    "achievements": "achievements",
    "tz": "timezone",
    "window_start": "notificationStart",
    "window_end": "notificationEnd",
    "beeps_per_day": "notificationsPerDay",
    "address_form": "addressForm",
}


@attrs.frozen
class Beep:
    """One planned signal to a participant.

    Attributes:
        id: Deterministic: ``beep_id(participant_id, local_date, index)``.
        participant_id: Whose beep it is.
        local_date: The participant's local day it belongs to (a window crossing midnight belongs
            to the day it starts).
        index: Position in the day's plan, 0-based.
        scheduled_at: When to send it (UTC).
        status: Where it is in its lifecycle.
        study_day: The study day (1-based; training days first).
        training: True on a training day.
        tz: The zone the beep was planned in (for local times in exports).
        sent_at: When Telegram accepted the message (UTC).
        reminder_sent_at: When the one gentle reminder went out (UTC).
        answered_at: When the (first) report arrived (UTC).
        expires_at: When the answer window closes (UTC).
        message_id: Telegram message id of the beep, to edit it on expiry.
        claimed_by: The worker holding the send lease (see ``Store.claim_beep``).
        claim_until: When that lease runs out (UTC); after it another worker may claim the beep.
    """

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
    """A participant's answer to a beep, with its validation result.

    Attributes:
        id: Random id (:func:`new_id`).
        participant_id: Who wrote it.
        beep_id: The beep it answers, or None for a practice report.
        text: The report exactly as received.
        received_at: When it arrived (UTC).
        dedup_key: Unique per incoming message (e.g. ``f"tg:{chat_id}:{message_id}"``): a replayed
            Telegram update never stores a second report.
        attempt: 1, or 2 for the retry offered on training days (both versions are kept).
        latency_s: Seconds from the beep to the report (None without a beep).
        late: True when it came after the answer window.
        score: The validator's score 0..100.
        quality: The validator's quality label.
        phenomena: Phenomenon codes found.
        issue_codes: Issue codes found, most important first.
        feedback: The feedback shown to the participant.
        source: ``"local"`` or ``"ai"``.
        fallback_reason: Why local validation answered instead of AI, if it did.
        validator_version: The validator's version string.
        validation_ms: How long validation took.
        assessment: The full ``Assessment.to_dict()``.
    """

    id: str
    participant_id: str
    beep_id: str | None
    text: str
    received_at: dt.datetime = attrs.field(converter=utc_ms)
    dedup_key: str = attrs.field()
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

    @dedup_key.default
    def _dedup_default(self) -> str:
        return f"report:{self.id}"


@attrs.frozen
class Event:
    """One entry of the append-only audit trail.

    Attributes:
        kind: What happened (``"consented"``, ``"beep_sent"``, ``"tz_changed"``...).
        at: When (UTC).
        participant_id: Whom it concerns, if anyone.
        data: JSON-compatible details.
        id: Random unique id, so a replayed write never doubles an event.
        seq: Position in the log, assigned by the store on append (None before).
    """

    kind: str
    at: dt.datetime = attrs.field(converter=utc_ms)
    participant_id: str | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict)
    id: str = attrs.field(factory=new_id)
    seq: int | None = None
