"""Reports: attaching a text to its beep, validating, storing, feedback."""

from __future__ import annotations

import collections
import datetime as dt
import operator
import re
import time
from collections.abc import Mapping
from typing import Any

import attrs

from esm_bot.domain.models import (
    Beep,
    BeepStatus,
    Participant,
    ParticipantStatus,
    PhenomenaFrequencies,
    Report,
    beep_id,
    new_id,
)
from esm_bot.study import analytics
from esm_bot.study.context import STUDY_KEY, StudyContext, ValidateFunction, gated
from esm_bot.study.outcomes import Message, MessageKey, Outcome, ReportKind, message
from esm_validate import Assessment, LocalValidator, ValidationConfig, Validator
from esm_validate import validate as local_validate

__all__ = ["Reports"]

_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")
_NON_WORD = re.compile(r"[\W_]+")
#: A report is repetitive when one sentence comes this often and makes up this share of them.
_MIN_REPEATS, _MIN_SHARE = 3, 0.5
#: What a text answers: its beep, as what, which attempt, and the report it continues (if any).
_Target = tuple[Beep, ReportKind, int, Report | None]


def _context(report: Report) -> Mapping[str, Any]:
    context: Mapping[str, Any] = report.assessment.get(STUDY_KEY, {})
    return context


def _kind_of(report: Report) -> ReportKind:
    """What the report (or the report it continues or edits) answered its beep as."""
    context = _context(report)
    return ReportKind(context.get("of", context.get("kind", ReportKind.ON_TIME.value)))


def _by_key(reports: list[Report], dedup_key: str) -> Report | None:
    return next((r for r in reports if r.dedup_key == dedup_key), None)


def _whole(report: Report) -> str:
    return str(_context(report).get("whole_text", report.text))


def _repetition(text: str) -> tuple[int, str] | None:
    """For a report of one sentence pasted over and over (scored as written, every copy would
    count again): how often it came, and the report with each sentence once."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    keys = [_NON_WORD.sub(" ", s.casefold()).strip() for s in sentences]
    times = max(collections.Counter(key for key in keys if key).values(), default=0)
    if times < _MIN_REPEATS or times < _MIN_SHARE * len(keys):
        return None
    kept: dict[str, str] = {}
    for key, sentence in zip(keys, sentences, strict=True):
        kept.setdefault(key, sentence)  # each sentence the first time it came
    return times, " ".join(kept.values())


def _shown(report: Report) -> dict[str, Any]:
    """The feedback a scored report shows. A late answer may describe a later moment: no praise
    beside the note that says so, nor beside the note that one sentence came over and over."""
    context, stored = _context(report), report.assessment
    no_praise = context.get("of") == ReportKind.LATE or "repeated" in context
    return {
        "score": report.score,
        "quality": report.quality,
        "strengths": [] if no_praise else list(stored.get("strengths", [])),
        "tip": "" if no_praise and not stored.get("issues") else report.feedback,
        "issues": list(report.issue_codes),
        "phenomena": list(report.phenomena),
    }


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
    """Reports over the validator (and, made on first use, a local one wording tips in «ты»)."""

    ctx: StudyContext
    validator: Validator | ValidateFunction
    _informal: LocalValidator | None = attrs.field(default=None, init=False)

    @gated()
    def practice(self, participant: Participant) -> Outcome:
        """A practice beep now (index >= 1000, study day 0): feedback, never counted."""
        return self._beep_now(participant, analytics.PRACTICE_INDEX_BASE, MessageKey.BEEP_PRACTICE)

    @gated()
    def pilot(self, participant: Participant) -> Outcome:
        """A researcher's pilot beep now (``/pilot``): a practice beep numbered from 2000, which
        the export and the figures keep apart as ``beep_status="pilot"``."""
        return self._beep_now(participant, analytics.PILOT_INDEX_BASE, MessageKey.BEEP_PILOT)

    def _beep_now(self, participant: Participant, base: int, key: MessageKey) -> Outcome:
        """Store an extra beep numbered from ``base`` as sent now; return its prompt ``key``."""
        now = self.ctx.now()
        today = self.ctx.local_today(participant, now)
        index = base + sum(
            1
            for b in self.ctx.store.beeps_for(participant.id, since=now - dt.timedelta(days=2))
            if base <= b.index < base + analytics.PRACTICE_INDEX_BASE and b.local_date == today
        )
        beep = Beep(
            id=beep_id(participant.id, today, index),
            participant_id=participant.id,
            local_date=today,
            index=index,
            scheduled_at=now,
            status=BeepStatus.SENT,
            study_day=0,
            training=False,
            tz=participant.tz,
            sent_at=now,
            expires_at=now + self.ctx.config.expiry,
        )
        self.ctx.store.upsert_beeps([beep])
        self.ctx.event(f"{key.value.removeprefix('beep_')}_beep", participant.id, beep_id=beep.id)
        return Outcome((message(key, beep_id=beep.id),), participant)

    @gated()
    def handle_text(self, participant: Participant, text: str, *, dedup_key: str) -> Outcome:
        """Treat a text as a report: attach it to its beep, validate, give feedback; the same
        *dedup_key* (e.g. ``f"tg:{chat_id}:{message_id}"``) again changes nothing."""
        if not text.strip():
            empty = (message(MessageKey.EMPTY_TEXT),)
            return Outcome(empty, participant, ok=False, kind=ReportKind.EMPTY)
        now = self.ctx.now()
        reports = self.ctx.store.reports_for(participant.id)
        if (seen := _by_key(reports, dedup_key)) is not None:
            return self._duplicate(participant, seen)
        target = self._target(participant, reports, now)
        if target is None:
            stored, created = self._keep(
                participant, text, dedup_key, now, kind=ReportKind.NO_BEEP.value
            )
            if not created:
                return self._duplicate(participant, stored)
            self.ctx.event("text_without_beep", participant.id, report_id=stored.id)
            said = (message(MessageKey.NO_BEEP_PENDING),)
            return Outcome(said, participant, kind=ReportKind.NO_BEEP, report=stored)
        return self._report(participant, target, text, dedup_key, now, reports)

    @gated(quiet=True)
    def edit_report(
        self, participant: Participant, text: str, *, original_key: str, dedup_key: str
    ) -> Outcome:
        """A message edited in Telegram (*original_key*: the original's dedup key): stored and
        scored, the original kept."""
        refused = Outcome((), participant, ok=False, kind=ReportKind.REFUSED)
        if not text.strip():
            return attrs.evolve(refused, kind=ReportKind.EMPTY)
        now = self.ctx.now()
        reports = self.ctx.store.reports_for(participant.id)
        original = _by_key(reports, original_key)
        if original is None:
            return refused
        if (seen := _by_key(reports, dedup_key)) is not None:
            return self._duplicate(participant, seen)
        beep = self.ctx.store.get_beep(original.beep_id) if original.beep_id else None
        if beep is not None:
            target = (beep, _kind_of(original), original.attempt, None)
            return self._report(participant, target, text, dedup_key, now, reports, original)
        stored, _ = self._keep(
            participant, text, dedup_key, now, kind=ReportKind.EDIT.value, edit_of=original.id
        )
        self.ctx.event("text_edited", participant.id, report_id=stored.id, edit_of=original.id)
        return Outcome((), participant, kind=ReportKind.EDIT, report=stored)

    def _keep(
        self, participant: Participant, text: str, dedup_key: str, now: dt.datetime, **context: Any
    ) -> tuple[Report, bool]:
        """Store a text that answers no beep, unvalidated; the stored report and if it is new."""
        return self.ctx.store.add_report(
            Report(
                id=new_id(),
                participant_id=participant.id,
                beep_id=None,
                text=text,
                received_at=now,
                dedup_key=dedup_key,
                assessment={STUDY_KEY: context},
            )
        )

    def _target(
        self, participant: Participant, reports: list[Report], now: dt.datetime
    ) -> _Target | None:
        """The beep a text at *now* answers, its kind, attempt and (continuing) the last part."""
        config = self.ctx.config
        horizon = now - (config.expiry + config.late_answer_window + dt.timedelta(days=1))
        sent = [
            b
            for b in self.ctx.store.beeps_for(participant.id, since=horizon)
            if b.sent_at is not None and b.sent_at <= now
        ]
        if not sent:
            return None
        beep = max(sent, key=lambda b: (b.sent_at or b.scheduled_at, b.index))
        expires = beep.expires_at or (beep.sent_at or now) + config.expiry
        practice = analytics.is_practice(beep)
        if beep.status in (BeepStatus.SENT, BeepStatus.EXPIRED):
            if now <= expires:
                return beep, ReportKind.PRACTICE if practice else ReportKind.ON_TIME, 1, None
            if not practice and now <= expires + config.late_answer_window:
                return beep, ReportKind.LATE, 1, None
            return None
        previous = [r for r in reports if r.beep_id == beep.id]
        if beep.status is not BeepStatus.ANSWERED or not previous:
            return None
        last = max(previous, key=lambda r: (r.attempt, r.received_at))
        if (
            not practice
            and _context(last).get("retry_offered")
            and last.attempt < config.max_validation_attempts
            and now <= last.received_at + config.retry_window
        ):
            return beep, ReportKind.RETRY, last.attempt + 1, None
        window = config.continuation_window
        if window > dt.timedelta(0) and last.received_at <= now <= last.received_at + window:
            return beep, _kind_of(last), last.attempt, last
        return None

    def _validate(
        self, text: str, participant: Participant, training_day: int | None
    ) -> Assessment:
        """The validator's judgement of *text* (the local rules' when the validator fails)."""
        lang = participant.lang
        clipped = text[: self.ctx.config.max_report_chars]
        validator = self.validator
        try:
            if not callable(validator) or hasattr(validator, "validate"):
                assessment = validator.validate(
                    clipped, user_id=participant.id, training_day=training_day, lang=lang
                )
            else:
                assessment = validator(clipped, lang=lang, training_day=training_day)
        except Exception as exc:  # a broken validator must not lose the report
            assessment = local_validate(clipped, lang=lang, training_day=training_day)
            self.ctx.event("validator_failed", participant.id, error=type(exc).__name__)
            assessment = attrs.evolve(assessment, fallback_reason="validator_error")
        informal_ru = lang == "ru" and str(participant.address_form) == "informal"
        if not informal_ru or assessment.source != "local" or assessment.lang != "ru":
            return assessment
        # The shared validator words Russian tips in «вы»: check once more in «ты» and use those
        # texts when the verdict is the very same (an AI's own wording is left as it is).
        if self._informal is None:
            self._informal = LocalValidator(config=ValidationConfig(address="informal"))
        informal = self._informal.validate(clipped, lang="ru", training_day=training_day)
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
        target: _Target,
        text: str,
        dedup_key: str,
        now: dt.datetime,
        reports: list[Report],
        edit_of: Report | None = None,
    ) -> Outcome:
        """Validate and store one report (or a continuation or edit of one); the feedback."""
        beep, kind, attempt, part_of = target
        config = self.ctx.config
        versions = [r for r in reports if r.beep_id == beep.id and r.attempt == attempt]
        whole = _whole_text(text, versions, part_of, edit_of)
        repetition = _repetition(whole)
        checked = repetition[1] if repetition is not None else whole
        training = (
            kind is not ReportKind.PRACTICE
            and beep.training
            and participant.status is ParticipantStatus.TRAINING
        )
        training_day = participant.current_training_day if training else None
        started = time.perf_counter()
        assessment = self._validate(checked, participant, training_day)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        pass_mark = config.pass_mark(training_day) if training_day else None
        retry_offered = bool(
            pass_mark is not None
            and assessment.score < pass_mark
            and attempt < config.max_validation_attempts
        )
        latency = (now - beep.sent_at).total_seconds() if beep.sent_at else None
        stored_kind = ReportKind.CONTINUATION if part_of else ReportKind.EDIT if edit_of else kind
        context: dict[str, Any] = {
            "kind": stored_kind.value,
            "of": kind.value,
            "training_day": training_day,
            "pass_mark": pass_mark,
            "retry_offered": retry_offered,
            "truncated": len(checked) > config.max_report_chars,
        }
        optional = {
            "part_of": part_of.id if part_of else None,
            "edit_of": edit_of.id if edit_of else None,
            "whole_text": whole if whole != text else None,
            "repeated": repetition[0] if repetition else None,
        }
        context.update((k, v) for k, v in optional.items() if v is not None)
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
            assessment={**assessment.to_dict(), STUDY_KEY: context},
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
            report_kind=stored_kind.value,
            attempt=attempt,
            score=assessment.score,
        )
        all_reports = [*reports, stored]
        if kind is not ReportKind.PRACTICE:
            participant = self._refresh_aggregates(participant, all_reports)
        said = self._feedback(kind, assessment, stored, all_reports)
        if part_of is not None:
            said.insert(0, message(MessageKey.CONTINUATION_ADDED, parts=1 + len(versions)))
        elif edit_of is not None:
            said.insert(0, message(MessageKey.EDIT_RECORDED))
        if repetition is not None:
            said.append(message(MessageKey.REPETITIVE, times=repetition[0]))
        if context["truncated"]:  # kept whole; only the start was validated: say so first
            limit = config.max_report_chars
            said.insert(0, message(MessageKey.TOO_LONG, length=len(checked), limit=limit))
        return Outcome(
            tuple(said),
            participant,
            kind=stored_kind,
            report=stored,
            assessment=assessment,
            retry_offered=retry_offered,
            latency_s=latency,
        )

    def _training_feedback(self, report: Report) -> Message:
        """The feedback on a scored training report (the same again for a duplicate)."""
        context = _context(report)
        day, mark, attempt = int(context["training_day"]), context.get("pass_mark"), report.attempt
        focus = self.ctx.config.focus(day)
        params = {"day": day, "focus": focus, "pass_mark": mark, "attempt": attempt}
        return message(MessageKey.FEEDBACK_TRAINING, **params, **_shown(report))

    def _feedback(
        self, kind: ReportKind, assessment: Assessment, report: Report, reports: list[Report]
    ) -> list[Message]:
        """The replies to a stored report (not yet the notes on a continuation or an edit)."""
        config = self.ctx.config
        context = _context(report)
        day, mark, score = context["training_day"], context["pass_mark"], assessment.score
        follow_up = context["kind"] in (ReportKind.CONTINUATION, ReportKind.EDIT)
        said: list[Message] = []
        late = kind is ReportKind.LATE
        if kind is ReportKind.PRACTICE:
            shown = _shown(report)
            said.append(message(MessageKey.FEEDBACK_PRACTICE, focus=config.focus(1), **shown))
        elif day is not None:
            said.append(self._training_feedback(report))
            if kind is ReportKind.RETRY and not follow_up:
                mine = analytics.latest_versions(r for r in reports if r.beep_id == report.beep_id)
                first = min(mine, key=operator.attrgetter("attempt")).score
                said.append(message(MessageKey.RETRY_RECORDED, score=score, first_score=first))
            if context["retry_offered"]:
                said.append(message(MessageKey.RETRY_OFFER, score=score, pass_mark=mark, day=day))
            best = analytics.best_attempts(reports)
            hint = analytics.personal_hint(best, min_data=config.min_data_for_personalization)
            if hint is not None and hint.kind == "issue":
                issue = {"issue": hint.code, "reports": len(best)}
                said.append(message(MessageKey.PERSONAL_HINT_ISSUE, share=hint.share, **issue))
            elif hint is not None:
                lopsided = {"phenomenon": hint.code, "missing": list(hint.missing)}
                key = MessageKey.PERSONAL_HINT_PHENOMENA
                said.append(message(key, share=hint.share, **lopsided))
        elif config.thanks_after_training:
            said.append(message(MessageKey.THANKS))
        if late and not follow_up:
            minutes = round((report.latency_s or 0.0) / 60)
            said.append(message(MessageKey.LATE_REPORT, latency_minutes=minutes))
        if kind is ReportKind.PRACTICE or day is not None:
            said.extend(_ai_notes(assessment))
        return said

    def _refresh_aggregates(self, participant: Participant, reports: list[Report]) -> Participant:
        """Recompute the golden-standard fields from the stored reports (deterministic)."""
        best = analytics.best_attempts(reports)
        if not best:
            return participant
        counts = analytics.phenomena_counts(best)
        common = {code: counts[code] for code in analytics.PHENOMENA_NORMS}
        return self.ctx.update(
            participant,
            average_data_quality=round(sum(r.score or 0 for r in best) / len(best), 1),
            phenomena_frequencies=PhenomenaFrequencies(**common),
            common_patterns=analytics.common_patterns(
                best, min_data=self.ctx.config.min_data_for_personalization
            ),
        )

    def _duplicate(self, participant: Participant, report: Report) -> Outcome:
        """The same message again: the first result's training feedback, nothing stored."""
        said: tuple[Message, ...] = ()
        if report.score is not None and _context(report).get("training_day"):
            said = (self._training_feedback(report),)
        return Outcome(said, participant, kind=ReportKind.DUPLICATE, report=report)


def _whole_text(
    text: str, versions: list[Report], part_of: Report | None, edit_of: Report | None
) -> str:
    """The whole report to validate: earlier parts plus *text*, or the edit in place (*versions*:
    the reports so far on the same beep and attempt)."""
    if part_of is not None:
        return f"{_whole(part_of)}\n{text}"
    if edit_of is None:
        return text
    latest = _whole(max(versions, key=lambda r: r.received_at)) if versions else edit_of.text
    edits = [r for r in versions if _context(r).get("edit_of") == edit_of.id]
    old = max(edits, key=lambda r: r.received_at).text if edits else edit_of.text
    head, found, tail = latest.rpartition(old)
    return f"{head}{text}{tail}" if found else text
