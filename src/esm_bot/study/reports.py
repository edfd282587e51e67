"""Reports: attaching a text to its beep, validating, storing, feedback."""

from __future__ import annotations

import datetime as dt
import time as time_module
from collections.abc import Mapping
from typing import Any

import attrs

from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    Report,
    beep_id,
    new_id,
)
from esm_bot.study import analytics
from esm_bot.study.context import STUDY_KEY, StudyContext, ValidateFunction
from esm_bot.study.messages import Message, MessageKey, message
from esm_bot.study.outcomes import (
    Outcome,
    ReportKind,
    ReportOutcome,
)
from esm_bot.study.textcheck import find_repetition
from esm_validate import Assessment, LocalValidator, ValidationConfig, Validator
from esm_validate import validate as local_validate

__all__ = ["Reports"]


def _ai_notes(assessment: Assessment) -> list[Message]:
    """A note when local feedback stood in for the AI (rate limited: when it resumes)."""
    if assessment.fallback_reason is None:
        return []
    if assessment.fallback_reason == "rate_limited":
        minutes = max(1, round((assessment.retry_after or 60) / 60))
        return [message(MessageKey.AI_RATE_LIMITED, minutes=minutes)]
    return [message(MessageKey.AI_UNAVAILABLE, reason=assessment.fallback_reason)]


@attrs.define
class Reports:
    """Reports: attaching a text to its beep, validating, storing, feedback.

    Attributes:
        ctx: The shared dependencies.
        validator: A :class:`esm_validate.Validator` or a function like
            :func:`esm_validate.validate`.
    """

    ctx: StudyContext
    validator: Validator | ValidateFunction
    _informal: Any = attrs.field(default=None, init=False)

    def practice(self, telegram_id: int) -> Outcome:
        """A practice beep now: it does not count, but the participant gets feedback.

        The beep is stored as sent (``index >= 1000``, ``study_day == 0``); the bot sends the
        message and may pass its id to :meth:`beep_sent`.
        """
        return self._beep_now(telegram_id, analytics.PRACTICE_INDEX_BASE, MessageKey.BEEP_PRACTICE)

    def pilot(self, telegram_id: int) -> Outcome:
        """A pilot beep now, sent by a researcher trying the study (``/pilot``).

        Like a practice beep (answered like any beep, with feedback, never counted), numbered from
        ``index >= 2000`` so the export and the figures keep it apart as ``beep_status="pilot"``.
        """
        return self._beep_now(telegram_id, analytics.PILOT_INDEX_BASE, MessageKey.BEEP_PILOT)

    def _beep_now(self, telegram_id: int, base: int, key: MessageKey) -> Outcome:
        """Store an extra beep numbered from ``base`` as sent now; return its prompt ``key``."""
        gate = self.ctx.gate(telegram_id)
        if isinstance(gate, Outcome):
            return gate
        now = self.ctx.now()
        today = self.ctx.local_today(gate, now)
        existing = [
            b
            for b in self.ctx.store.beeps_for(gate.id, since=now - dt.timedelta(days=2))
            if base <= b.index < base + analytics.PRACTICE_INDEX_BASE and b.local_date == today
        ]
        index = base + len(existing)
        beep = Beep(
            id=beep_id(gate.id, today, index),
            participant_id=gate.id,
            local_date=today,
            index=index,
            scheduled_at=now,
            status=BeepStatus.SENT,
            study_day=0,
            training=False,
            tz=gate.tz,
            sent_at=now,
            expires_at=now + self.ctx.config.expiry,
        )
        self.ctx.store.upsert_beeps([beep])
        self.ctx.event(f"{key.value.removeprefix('beep_')}_beep", gate.id, beep_id=beep.id)
        return Outcome((message(key, beep_id=beep.id),), gate)

    def handle_text(
        self,
        telegram_id: int,
        text: str,
        *,
        dedup_key: str,
        at: dt.datetime | None = None,
    ) -> ReportOutcome:
        """Treat a text as a report: attach it to the beep it answers, validate, give feedback.

        Idempotent by *dedup_key* (e.g. ``f"tg:{chat_id}:{message_id}"``): the same message again
        returns the first result's feedback and changes nothing.
        """
        participant = self.ctx.participant(telegram_id)
        if participant is None:
            return ReportOutcome((message(MessageKey.NOT_REGISTERED),), None, ok=False)
        if participant.status is ParticipantStatus.WITHDRAWN:
            return ReportOutcome(
                (message(MessageKey.NOT_ACTIVE, state=participant.status.value),),
                participant,
                ok=False,
            )
        if participant.status is ParticipantStatus.REGISTERED:
            return ReportOutcome((message(MessageKey.CONSENT_NEEDED),), participant, ok=False)
        if not text.strip():
            return ReportOutcome(
                (message(MessageKey.EMPTY_TEXT),), participant, ok=False, kind=ReportKind.EMPTY
            )
        now = self.ctx.now(at)
        reports = self.ctx.store.reports_for(participant.id)
        for report in reports:
            if report.dedup_key == dedup_key:
                return self._duplicate(participant, report)
        target = self._target(participant, reports, now)
        if target is None:
            return self._no_beep(participant, text, dedup_key, now)
        beep, kind, attempt, last = target
        return self._report(
            participant, beep, kind, attempt, text, dedup_key, now, reports, part_of=last
        )

    def edit_report(
        self,
        telegram_id: int,
        text: str,
        *,
        original_key: str,
        dedup_key: str,
        at: dt.datetime | None = None,
    ) -> ReportOutcome:
        """A message edited in Telegram: keep the original, store and score the edit.

        *original_key* is the dedup key the original message was stored under; *dedup_key* is
        unique per edit (the same edit again changes nothing). An edit of a message that was not
        stored as a report (a command, an answer to a setup question) is ignored.
        """
        participant = self.ctx.participant(telegram_id)
        if participant is None or participant.status in (
            ParticipantStatus.REGISTERED,
            ParticipantStatus.WITHDRAWN,
        ):
            return ReportOutcome((), participant, ok=False)
        if not text.strip():
            return ReportOutcome((), participant, ok=False, kind=ReportKind.EMPTY)
        now = self.ctx.now(at)
        reports = self.ctx.store.reports_for(participant.id)
        original = next((r for r in reports if r.dedup_key == original_key), None)
        if original is None:
            return ReportOutcome((), participant, ok=False)
        for report in reports:
            if report.dedup_key == dedup_key:
                return self._duplicate(participant, report)
        beep = self.ctx.store.get_beep(original.beep_id) if original.beep_id else None
        context: Mapping[str, Any] = original.assessment.get(STUDY_KEY, {})
        if beep is None:
            record = Report(
                id=new_id(),
                participant_id=participant.id,
                beep_id=None,
                text=text,
                received_at=now,
                dedup_key=dedup_key,
                assessment={STUDY_KEY: {"kind": ReportKind.EDIT.value, "edit_of": original.id}},
            )
            stored, _created = self.ctx.store.add_report(record)
            self.ctx.event("text_edited", participant.id, report_id=stored.id, edit_of=original.id)
            return ReportOutcome((), participant, kind=ReportKind.EDIT, report=stored)
        kind = ReportKind(context.get("of", context.get("kind", ReportKind.ON_TIME.value)))
        return self._report(
            participant,
            beep,
            kind,
            original.attempt,
            text,
            dedup_key,
            now,
            reports,
            edit_of=original,
        )

    def _target(
        self, participant: Participant, reports: list[Report], now: dt.datetime
    ) -> tuple[Beep, ReportKind, int, Report | None] | None:
        """The beep a text received at *now* answers, its kind, attempt number and, for the
        continuation of a report already received, that report's latest part."""
        horizon = now - (
            self.ctx.config.expiry + self.ctx.config.late_answer_window + dt.timedelta(days=1)
        )
        sent = [
            b
            for b in self.ctx.store.beeps_for(participant.id, since=horizon)
            if b.sent_at is not None and b.sent_at <= now
        ]
        if not sent:
            return None
        beep = max(sent, key=lambda b: (b.sent_at or b.scheduled_at, b.index))
        expires = beep.expires_at or (beep.sent_at or now) + self.ctx.config.expiry
        practice = analytics.is_practice(beep)
        if beep.status in (BeepStatus.SENT, BeepStatus.EXPIRED):
            if now <= expires:
                return beep, ReportKind.PRACTICE if practice else ReportKind.ON_TIME, 1, None
            if not practice and now <= expires + self.ctx.config.late_answer_window:
                return beep, ReportKind.LATE, 1, None
            return None
        if beep.status is not BeepStatus.ANSWERED:
            return None
        previous = [r for r in reports if r.beep_id == beep.id]
        if not previous:
            return None
        last = max(previous, key=lambda r: (r.attempt, r.received_at))
        context = last.assessment.get(STUDY_KEY, {})
        if (
            not practice
            and context.get("retry_offered")
            and last.attempt < self.ctx.config.max_validation_attempts
            and now <= last.received_at + self.ctx.config.retry_window
        ):
            return beep, ReportKind.RETRY, last.attempt + 1, None
        window = self.ctx.config.continuation_window
        if window > dt.timedelta(0) and last.received_at <= now <= last.received_at + window:
            kind = ReportKind(context.get("of", context.get("kind", ReportKind.ON_TIME.value)))
            return beep, kind, last.attempt, last
        return None

    def _validate(
        self, text: str, participant: Participant, training_day: int | None
    ) -> Assessment:
        clipped = text[: self.ctx.config.max_report_chars]
        validator = self.validator
        try:
            if not callable(validator) or hasattr(validator, "validate"):
                assessment = validator.validate(
                    clipped,
                    user_id=participant.id,
                    training_day=training_day,
                    lang=participant.lang,
                )
            else:
                assessment = validator(clipped, lang=participant.lang, training_day=training_day)
        except Exception as exc:  # a broken validator must not lose the report
            assessment = local_validate(clipped, lang=participant.lang, training_day=training_day)
            self.ctx.event("validator_failed", participant.id, error=type(exc).__name__)
            assessment = attrs.evolve(assessment, fallback_reason="validator_error")
        return self._addressed(assessment, clipped, participant, training_day)

    def _addressed(
        self, assessment: Assessment, text: str, participant: Participant, training_day: int | None
    ) -> Assessment:
        """The local rules' tip and strengths in «ты» for a participant who chose it.

        The local rules word their Russian tips in «вы» unless told otherwise
        (``ValidationConfig(address="informal")``); the validator behind the study is shared by
        everyone, so for an informal participant the same report is checked once more with the
        informal wording, and its texts are used when it reached the very same verdict (an AI
        answer, worded by the AI, is left as it is).
        """
        if participant.lang != "ru" or str(participant.address_form) != "informal":
            return assessment
        if assessment.source != "local" or assessment.lang != "ru":
            return assessment
        if self._informal is None:
            self._informal = LocalValidator(config=ValidationConfig(address="informal"))
        informal = self._informal.validate(text, lang="ru", training_day=training_day)
        if (informal.score, informal.issue_codes) != (assessment.score, assessment.issue_codes):
            return assessment
        return attrs.evolve(
            assessment,
            feedback=informal.feedback,
            strengths=informal.strengths,
            issues=informal.issues,
        )

    def _report(
        self,
        participant: Participant,
        beep: Beep,
        kind: ReportKind,
        attempt: int,
        text: str,
        dedup_key: str,
        now: dt.datetime,
        reports: list[Report],
        *,
        part_of: Report | None = None,
        edit_of: Report | None = None,
    ) -> ReportOutcome:
        """Validate and store one report (or a continuation or edit of one); the feedback."""
        whole = _whole_text(text, reports, beep, attempt, part_of=part_of, edit_of=edit_of)
        repetition = find_repetition(whole)
        training = (
            kind is not ReportKind.PRACTICE
            and beep.training
            and participant.status is ParticipantStatus.TRAINING
        )
        training_day = participant.current_training_day if training else None
        started = time_module.perf_counter()
        checked = repetition.deduplicated if repetition is not None else whole
        assessment = self._validate(checked, participant, training_day)
        elapsed_ms = round((time_module.perf_counter() - started) * 1000, 3)
        pass_mark = self.ctx.config.pass_mark(training_day) if training_day else None
        retry_offered = bool(
            training
            and pass_mark is not None
            and assessment.score < pass_mark
            and attempt < self.ctx.config.max_validation_attempts
        )
        latency = (now - beep.sent_at).total_seconds() if beep.sent_at else None
        record = Report(
            id=new_id(),
            participant_id=participant.id,
            beep_id=beep.id,
            text=text,
            received_at=now,
            dedup_key=dedup_key,
            attempt=attempt,
            latency_s=latency,
            late=kind is ReportKind.LATE,
            score=assessment.score,
            quality=assessment.quality,
            phenomena=sorted(assessment.phenomena),  # type: ignore[arg-type]
            issue_codes=list(assessment.issue_codes),  # type: ignore[arg-type]
            feedback=assessment.feedback,
            source=assessment.source,
            fallback_reason=assessment.fallback_reason,
            validator_version=assessment.version,
            validation_ms=elapsed_ms,
            assessment={
                **assessment.to_dict(),
                STUDY_KEY: {
                    "kind": (
                        ReportKind.CONTINUATION.value
                        if part_of is not None
                        else ReportKind.EDIT.value
                        if edit_of is not None
                        else kind.value
                    ),
                    "of": kind.value,
                    "training_day": training_day,
                    "pass_mark": pass_mark,
                    "retry_offered": retry_offered,
                    "truncated": len(checked) > self.ctx.config.max_report_chars,
                    **({"part_of": part_of.id} if part_of is not None else {}),
                    **({"edit_of": edit_of.id} if edit_of is not None else {}),
                    **({"whole_text": whole} if whole != text else {}),
                    **({"repeated": repetition.times} if repetition is not None else {}),
                },
            },
        )
        stored, created = self.ctx.store.add_report(record)
        if not created:
            return self._duplicate(participant, stored)
        if attempt == 1 and part_of is None and edit_of is None:
            self.ctx.store.update_beep(
                beep.id,
                if_status=[BeepStatus.SENT, BeepStatus.EXPIRED],
                status=BeepStatus.ANSWERED,
                answered_at=now,
                claimed_by=None,
                claim_until=None,
            )
        self.ctx.event(
            "report_received",
            participant.id,
            event_id=f"report:{stored.id}",
            report_id=stored.id,
            beep_id=beep.id,
            report_kind=stored.assessment[STUDY_KEY]["kind"],
            attempt=attempt,
            score=assessment.score,
        )
        all_reports = [*reports, stored]
        if kind is not ReportKind.PRACTICE:
            participant = self._refresh_aggregates(participant, all_reports)
        messages = self._feedback_messages(
            participant,
            kind,
            assessment,
            training_day,
            pass_mark,
            retry_offered,
            stored,
            all_reports,
            follow_up=part_of is not None or edit_of is not None,
        )
        if part_of is not None:
            parts = 1 + sum(1 for r in reports if r.beep_id == beep.id and r.attempt == attempt)
            messages.insert(0, message(MessageKey.CONTINUATION_ADDED, parts=parts))
        elif edit_of is not None:
            messages.insert(0, message(MessageKey.EDIT_RECORDED))
        if repetition is not None:
            messages.append(message(MessageKey.REPETITIVE, times=repetition.times))
        outcome_kind = (
            ReportKind.CONTINUATION
            if part_of is not None
            else ReportKind.EDIT
            if edit_of is not None
            else kind
        )
        limit = self.ctx.config.max_report_chars
        if len(checked) > limit:  # kept whole; only the start was validated: say so first
            messages.insert(0, message(MessageKey.TOO_LONG, length=len(checked), limit=limit))
        return ReportOutcome(
            tuple(messages),
            participant,
            kind=outcome_kind,
            report=stored,
            beep=beep,
            assessment=assessment,
            retry_offered=retry_offered,
            latency_s=latency,
        )

    def _feedback_messages(
        self,
        participant: Participant,
        kind: ReportKind,
        assessment: Assessment,
        training_day: int | None,
        pass_mark: int | None,
        retry_offered: bool,
        report: Report,
        reports: list[Report],
        *,
        follow_up: bool = False,
    ) -> list[Message]:
        messages: list[Message] = []
        # A late answer may describe a later moment: no praise beside the note that says so.
        # Nor beside the note that one sentence came over and over.
        late = kind is ReportKind.LATE
        no_praise = late or "repeated" in report.assessment.get(STUDY_KEY, {})
        feedback = {
            "score": assessment.score,
            "quality": assessment.quality,
            "strengths": [] if no_praise else list(assessment.strengths),
            "tip": "" if no_praise and not assessment.issues else assessment.feedback,
            "issues": list(assessment.issue_codes),
            "phenomena": sorted(assessment.phenomena),
        }
        if kind is ReportKind.PRACTICE:
            messages.append(
                message(MessageKey.FEEDBACK_PRACTICE, focus=self.ctx.config.focus(1), **feedback)
            )
        elif training_day is not None:
            messages.append(
                message(
                    MessageKey.FEEDBACK_TRAINING,
                    day=training_day,
                    focus=self.ctx.config.focus(training_day),
                    pass_mark=pass_mark,
                    attempt=report.attempt,
                    **feedback,
                )
            )
            if kind is ReportKind.RETRY and not follow_up:
                first = min(
                    (r for r in reports if r.beep_id == report.beep_id), key=lambda r: r.attempt
                )
                messages.append(
                    message(
                        MessageKey.RETRY_RECORDED, score=assessment.score, first_score=first.score
                    )
                )
            if retry_offered:
                messages.append(
                    message(
                        MessageKey.RETRY_OFFER,
                        score=assessment.score,
                        pass_mark=pass_mark,
                        day=training_day,
                    )
                )
            hint = analytics.personal_hint(
                analytics.best_attempts(reports),
                min_data=self.ctx.config.min_data_for_personalization,
            )
            if hint is not None and hint.kind == "issue":
                messages.append(
                    message(
                        MessageKey.PERSONAL_HINT_ISSUE,
                        issue=hint.code,
                        share=hint.share,
                        reports=len(analytics.best_attempts(reports)),
                    )
                )
            elif hint is not None:
                messages.append(
                    message(
                        MessageKey.PERSONAL_HINT_PHENOMENA,
                        phenomenon=hint.code,
                        share=hint.share,
                        missing=list(hint.missing),
                    )
                )
        elif self.ctx.config.thanks_after_training:
            messages.append(message(MessageKey.THANKS))
        if late and not follow_up:
            latency = report.latency_s or 0.0
            messages.append(message(MessageKey.LATE_REPORT, latency_minutes=round(latency / 60)))
        if kind is ReportKind.PRACTICE or training_day is not None:
            messages.extend(_ai_notes(assessment))
        return messages

    def _refresh_aggregates(self, participant: Participant, reports: list[Report]) -> Participant:
        """Recompute the golden-standard fields from the stored reports (deterministic)."""
        best = analytics.best_attempts(reports)
        if not best:
            return participant
        average = round(sum(r.score or 0 for r in best) / len(best), 1)
        return self.ctx.update(
            participant,
            average_data_quality=average,
            phenomena_frequencies=analytics.phenomena_counts(best),
            common_patterns=analytics.common_patterns(
                best, min_data=self.ctx.config.min_data_for_personalization
            ),
        )

    def _duplicate(self, participant: Participant, report: Report) -> ReportOutcome:
        context: Mapping[str, Any] = report.assessment.get(STUDY_KEY, {})
        messages: tuple[Message, ...] = ()
        if report.score is not None and context.get("training_day"):
            messages = (
                message(
                    MessageKey.FEEDBACK_TRAINING,
                    day=context["training_day"],
                    focus=self.ctx.config.focus(int(context["training_day"])),
                    pass_mark=context.get("pass_mark"),
                    attempt=report.attempt,
                    score=report.score,
                    quality=report.quality,
                    strengths=list(report.assessment.get("strengths", [])),
                    tip=report.feedback,
                    issues=list(report.issue_codes),
                    phenomena=list(report.phenomena),
                ),
            )
        return ReportOutcome(messages, participant, kind=ReportKind.DUPLICATE, report=report)

    def _no_beep(
        self, participant: Participant, text: str, dedup_key: str, now: dt.datetime
    ) -> ReportOutcome:
        report = Report(
            id=new_id(),
            participant_id=participant.id,
            beep_id=None,
            text=text,
            received_at=now,
            dedup_key=dedup_key,
            assessment={STUDY_KEY: {"kind": ReportKind.NO_BEEP.value}},
        )
        stored, created = self.ctx.store.add_report(report)
        if not created:
            return self._duplicate(participant, stored)
        self.ctx.event("text_without_beep", participant.id, report_id=stored.id)
        return ReportOutcome(
            (message(MessageKey.NO_BEEP_PENDING),),
            participant,
            kind=ReportKind.NO_BEEP,
            report=stored,
        )


def _whole_text(
    text: str,
    reports: list[Report],
    beep: Beep,
    attempt: int,
    *,
    part_of: Report | None,
    edit_of: Report | None,
) -> str:
    """The whole report to validate: earlier parts plus *text*, or the edit in place."""
    if part_of is not None:
        return f"{_whole(part_of)}\n{text}"
    if edit_of is None:
        return text
    versions = [r for r in reports if r.beep_id == beep.id and r.attempt == attempt]
    latest = _whole(max(versions, key=lambda r: r.received_at)) if versions else edit_of.text
    edits = [r for r in versions if r.assessment.get(STUDY_KEY, {}).get("edit_of") == edit_of.id]
    old = max(edits, key=lambda r: r.received_at).text if edits else edit_of.text
    head, found, tail = latest.rpartition(old)
    return f"{head}{text}{tail}" if found else text


def _whole(report: Report) -> str:
    return str(report.assessment.get(STUDY_KEY, {}).get("whole_text", report.text))
