"""The Study facade: onboarding, settings and re-planning, exactly-once delivery, reports,
progression, pause/resume/withdraw/delete, analytics. Real SqliteStore in a temp directory."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esm_bot.domain.models import BeepStatus, ParticipantStatus, Report
from esm_bot.domain.schedule import ScheduleError
from esm_bot.settings import StudyConfig
from esm_bot.store.sqlite import SqliteStore
from esm_bot.study import (
    PHENOMENA_NORMS,
    Action,
    ActionKind,
    DayOutcome,
    Message,
    MessageKey,
    Outcome,
    Progress,
    ReportKind,
    Study,
    ValidateFunction,
    close_day,
    parse_window,
    planning,
)
from esm_bot.study.analytics import (
    best_attempts,
    compliance_rows,
    personal_hint,
    phenomena_profile,
)
from esm_validate import RateLimitExceeded, Validator
from esm_validate import validate as local_validate
from tests.study_support import Driver, ScriptedValidator, WallClock

UTC = dt.UTC
START = dt.datetime(2026, 5, 4, 10, 0, tzinfo=UTC)  # 13:00 Moscow
DAY1 = dt.date(2026, 5, 5)
TG = 777


class Kit:
    """A study on a real SqliteStore with a wall clock and a scripted validator."""

    def __init__(self, path: Path, **config: object) -> None:
        self.path = path
        self.clock = WallClock(START)
        self.validator = ScriptedValidator()
        self.store = SqliteStore(path, utcnow=self.clock)
        self.config = StudyConfig(**config)  # type: ignore[arg-type]
        self.study = self.make_study()
        self._dedup = itertools.count(1)

    def make_study(
        self,
        store: SqliteStore | None = None,
        validator: Validator | ValidateFunction | None = None,
    ) -> Study:
        return Study(
            store or self.store,
            validator or self.validator,
            self.config,
            clock=self.clock,
            rng=random.Random(7),
            maintenance_every=dt.timedelta(minutes=5),
        )

    def onboard(self, telegram_id: int = TG) -> str:
        outcome = self.study.register(telegram_id, chat_id=telegram_id + 1, lang="en")
        assert outcome.participant is not None
        self.study.consent(telegram_id)
        self.study.start(telegram_id)
        return outcome.participant.id

    def say(self, text: str, telegram_id: int = TG, key: str | None = None) -> Outcome:
        return self.study.handle_text(telegram_id, text, dedup_key=key or f"tg:{next(self._dedup)}")

    def first_beep_time(self, participant_id: str) -> dt.datetime:
        return min(b.scheduled_at for b in self.store.beeps_for(participant_id))

    def send_due(self, study: Study | None = None) -> list[str]:
        """Tick once; confirm every beep handed out; return their ids."""
        ids = []
        for action in (study or self.study).tick():
            if action.kind is ActionKind.SEND_BEEP and action.beep is not None:
                (study or self.study).beep_sent(action.beep.id, 1)
                ids.append(action.beep.id)
        return ids


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    """A fresh study per test."""
    made = Kit(tmp_path / "study.sqlite3")
    yield made
    made.store.close()


class TestOnboarding:
    def test_register_uses_study_defaults(self, kit: Kit) -> None:
        """A new participant gets the study's default schedule and a stored schedule seed."""
        outcome = kit.study.register(TG, chat_id=99, lang="en")
        participant = outcome.participant

        assert participant is not None
        assert (participant.tz, participant.beeps_per_day) == ("Europe/Moscow", 6)
        assert (participant.window_start, participant.window_end) == (dt.time(9), dt.time(21))
        assert participant.chat_id == 99
        assert participant.extra["schedule_seed"]
        assert outcome.keys == (MessageKey.WELCOME, MessageKey.CONSENT)
        assert outcome.messages[1].params["version"] == "1"

    def test_same_rng_seed_plans_the_same_days(self, tmp_path: Path) -> None:
        """The plan follows the injected rng only: participant ids (random) do not change it."""
        plans = []
        for run in range(2):
            kit = Kit(tmp_path / f"run{run}.sqlite3")
            ids = [kit.onboard(telegram_id) for telegram_id in (TG, TG + 10, TG + 20)]
            plans.append([[b.scheduled_at for b in kit.store.beeps_for(pid)] for pid in ids])
            kit.store.close()
        assert plans[0] == plans[1]
        assert all(len(days) >= 6 for days in plans[0])
        assert plans[0][0] != plans[0][1]  # each participant still gets a plan of their own

    def test_register_again_keeps_the_record(self, kit: Kit) -> None:
        """A second /start finds the same participant and refreshes the chat id."""
        first = kit.study.register(TG, chat_id=1, lang="en").participant
        second = kit.study.register(TG, chat_id=2).participant

        assert first is not None
        assert second is not None
        assert first.id == second.id
        assert second.chat_id == 2
        assert len(kit.store.list_participants()) == 1

    def test_unknown_language_falls_back_to_russian(self, kit: Kit) -> None:
        """The original MSE bot's default language is Russian."""
        participant = kit.study.register(TG, chat_id=1, lang="de").participant

        assert participant is not None
        assert participant.lang == "ru"

    def test_consent_outdated_version_is_asked_again(self, kit: Kit) -> None:
        """Accepting an old consent version records nothing and shows the current one."""
        kit.study.register(TG, chat_id=1)
        outdated = kit.study.consent(TG, version="0")
        accepted = kit.study.consent(TG, version="1")

        assert not outdated.ok
        assert outdated.keys == (MessageKey.CONSENT,)
        assert accepted.participant is not None
        assert accepted.participant.status is ParticipantStatus.CONSENTED
        events = list(kit.store.iter_events(kind="consented"))
        assert [e.data["version"] for e in events] == ["1"]

    def test_gates(self, kit: Kit) -> None:
        """Unknown users, users without consent and withdrawn users are refused politely."""
        assert kit.say("hello").keys == (MessageKey.NOT_REGISTERED,)
        assert kit.study.start(TG).keys == (MessageKey.NOT_REGISTERED,)
        kit.study.register(TG, chat_id=1)
        assert kit.say("hello").keys == (MessageKey.CONSENT_NEEDED,)
        assert kit.study.practice(TG).keys == (MessageKey.CONSENT_NEEDED,)
        kit.study.consent(TG)
        kit.study.withdraw(TG)
        refused = kit.say("hello")
        assert refused.keys == (MessageKey.NOT_ACTIVE,)
        assert refused.kind is ReportKind.REFUSED
        assert refused.participant is not None
        assert kit.store.reports_for(refused.participant.id) == []

    def test_start_plans_ahead_once_even_from_two_processes(self, kit: Kit) -> None:
        """start() twice, and from a second Study on the same file, stores one plan."""
        pid = kit.onboard()
        other = kit.make_study(SqliteStore(kit.path, utcnow=kit.clock))
        other.start(TG)
        kit.study.start(TG)

        beeps = kit.store.beeps_for(pid)
        assert len(beeps) == 12
        assert len({b.id for b in beeps}) == 12
        assert {b.local_date for b in beeps} == {DAY1, DAY1 + dt.timedelta(days=1)}

    def test_start_same_day_plans_only_remaining_beeps(self, tmp_path: Path) -> None:
        """With start_same_day, today's beeps before now are left out."""
        kit = Kit(tmp_path / "s.sqlite3", start_same_day=True)
        pid = kit.onboard()

        today = [b for b in kit.store.beeps_for(pid) if b.local_date == dt.date(2026, 5, 4)]
        assert today
        assert all(b.scheduled_at > START for b in today)
        assert len(today) < 6 or min(b.index for b in today) == 0


class TestSettings:
    def test_timezone_typed_as_offset(self, kit: Kit) -> None:
        """A typed offset is parsed; a nonsense zone is refused with its code."""
        kit.study.register(TG, chat_id=1)
        saved = kit.study.set_timezone(TG, "utc+5:30")
        refused = kit.study.set_timezone(TG, "Atlantis")

        assert saved.participant is not None
        assert saved.participant.tz == "UTC+05:30"
        assert saved.keys == (MessageKey.SETTINGS_SAVED,)
        assert refused.keys == (MessageKey.TIMEZONE_INVALID,)
        assert refused.messages[0].params["code"] == "schedule.unknown_timezone"

    def test_window_and_beeps_are_checked_against_the_gap(self, kit: Kit) -> None:
        """Ten beeps 45 minutes apart do not fit a six-hour window."""
        kit.study.register(TG, chat_id=1)
        assert kit.study.set_window(TG, "10-16").ok
        refused = kit.study.set_beeps_per_day(TG, 10)
        too_many = kit.study.set_beeps_per_day(TG, 11)
        bad_text = kit.study.set_window(TG, "morning")

        assert refused.messages[0].params["code"] == "schedule.too_many_beeps"
        assert too_many.messages[0].params["code"] == "schedule.bad_count"
        assert bad_text.messages[0].params["code"] == "schedule.bad_window"
        participant = kit.study.participant(TG)
        assert participant is not None
        assert participant.beeps_per_day == 6

    def test_language_and_form(self, kit: Kit) -> None:
        """Language and address form are stored; unknown values are refused."""
        kit.study.register(TG, chat_id=1)
        kit.study.set_language(TG, "en")
        kit.study.set_address_form(TG, "formal")

        participant = kit.study.participant(TG)
        assert participant is not None
        assert (participant.lang, str(participant.address_form)) == ("en", "formal")
        assert not kit.study.set_language(TG, "xx").ok
        assert not kit.study.set_address_form(TG, "royal").ok

    def test_change_mid_day_replans_only_future_beeps(self, kit: Kit) -> None:
        """After two beeps are sent, a time zone change keeps them, cancels the unsent ones,
        plans new ones after now and a gap after the last sent, and nothing is sent twice."""
        pid = kit.onboard()
        driver = Driver(kit.study, kit.clock)
        day1 = sorted(
            (b for b in kit.store.beeps_for(pid) if b.local_date == DAY1),
            key=lambda b: b.index,
        )
        driver.run_until(day1[1].scheduled_at + dt.timedelta(minutes=20))
        sent_before = {b.id: b for b in kit.store.beeps_for(pid) if b.sent_at is not None}
        assert len(sent_before) == 2
        now = kit.clock.now

        changed = kit.study.set_timezone(TG, "Asia/Kathmandu")
        driver.run_until(now + dt.timedelta(days=2))

        assert changed.messages[0].params["replanned"] > 0
        after = {b.id: b for b in kit.store.beeps_for(pid)}
        for beep_id, before in sent_before.items():
            assert after[beep_id].sent_at == before.sent_at
            assert after[beep_id].tz == "Europe/Moscow"
        sends = [a.beep.id for a in driver.kinds(ActionKind.SEND_BEEP) if a.beep]
        assert len(sends) == len(set(sends))
        new = [b for b in after.values() if b.id not in sent_before and b.sent_at is not None]
        assert new
        assert all(b.tz == "Asia/Kathmandu" for b in new)
        last_sent = max(b.sent_at for b in sent_before.values() if b.sent_at)
        assert min(b.scheduled_at for b in new) >= max(now, last_sent + kit.config.min_gap)
        cancelled = [b for b in after.values() if b.status is BeepStatus.CANCELLED]
        assert all(b.sent_at is None for b in cancelled)
        assert any(e.kind == "tz_changed" for e in kit.store.iter_events(participant_id=pid))

    @pytest.mark.parametrize("delivered", [True, False])
    def test_replanned_beep_keeps_the_gap_to_the_last_one_sent(
        self, kit: Kit, delivered: bool
    ) -> None:
        """A new plan whose beep would fall 45 minutes or less after the last beep sent (or due
        and about to be sent) drops it."""
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        first_id = (
            kit.send_due()[0]
            if delivered
            else min(kit.store.beeps_for(pid), key=lambda b: b.scheduled_at).id
        )
        last_sent = kit.clock.now
        kit.clock.advance(minutes=2)
        participant = kit.store.get_participant(pid)
        assert participant is not None
        candidates = [
            (n, f"{hour:02d}:{minute:02d}-23:00")
            for n in range(4, 11)
            for hour in range(5, 12)
            for minute in (0, 20, 40)
        ]
        for n, window in candidates:
            start, end = parse_window(window)
            trial = attrs.evolve(participant, beeps_per_day=n, window_start=start, window_end=end)
            times = planning.day_plan(kit.study.ctx, trial, DAY1)
            close = [t for t in times if kit.clock.now < t < last_sent + kit.config.min_gap]
            if close:
                break
        else:  # pragma: no cover - the search space always has one
            pytest.fail("no candidate plan with a beep inside the gap")

        kit.study.set_window(TG, window)
        kit.study.set_beeps_per_day(TG, n)

        planned = [
            b
            for b in kit.store.beeps_for(pid)
            if b.status is BeepStatus.SCHEDULED and b.id != first_id
        ]
        assert all(b.scheduled_at >= last_sent + kit.config.min_gap for b in planned)
        assert close[0] not in {b.scheduled_at for b in planned}
        if not delivered:
            assert kit.send_due() == [first_id]  # the due beep still goes out, once
        sent_beep = kit.store.get_beep(first_id)
        assert sent_beep is not None
        assert sent_beep.status is BeepStatus.SENT

    def test_naive_datetimes_are_refused(self, kit: Kit) -> None:
        """tick() with a naive datetime is a programming error, reported clearly."""
        with pytest.raises(ValueError, match="timezone-aware"):
            kit.study.tick(dt.datetime(2026, 5, 5, 9, 0))


class TestDelivery:
    def test_each_beep_goes_to_one_of_two_processes(self, kit: Kit) -> None:
        """Two Study instances on the same SQLite file tick in threads: no beep twice."""
        for offset in range(5):
            kit.onboard(TG + offset * 10)
        other = kit.make_study(SqliteStore(kit.path, utcnow=kit.clock))
        got: dict[str, list[str]] = {"a": [], "b": []}
        end = START + dt.timedelta(days=1, hours=12)
        while kit.clock.now < end:
            kit.clock.advance(minutes=2)
            threads = [
                threading.Thread(target=lambda: got["a"].extend(kit.send_due(kit.study))),
                threading.Thread(target=lambda: got["b"].extend(kit.send_due(other))),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        every = got["a"] + got["b"]
        assert len(every) == len(set(every)) == 30  # 5 participants x 6 beeps on day 1

    def test_a_lease_that_ran_out_mid_batch_is_not_sent_twice(self, kit: Kit) -> None:
        """A slow batch outlives the lease and another process takes the beep: renewing fails.

        Without the renewal right before sending, both processes would send the same beep.
        """
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        (action,) = [a for a in kit.study.tick() if a.kind is ActionKind.SEND_BEEP]
        assert action.beep is not None
        assert kit.study.renew_claim(action.beep.id, kit.clock.now)  # still ours: renewed

        kit.clock.advance(seconds=kit.config.claim_lease.total_seconds() + 1)
        other = kit.make_study(SqliteStore(kit.path, utcnow=kit.clock))
        taken = [a for a in other.tick() if a.kind is ActionKind.SEND_BEEP]

        assert [a.beep.id for a in taken if a.beep is not None] == [action.beep.id]
        assert not kit.study.renew_claim(action.beep.id, kit.clock.now)  # lost: do not send

    def test_downtime_catch_up_policy(self, kit: Kit) -> None:
        """A beep found 3 minutes late is sent; one found 10 minutes late is marked missed."""
        pid = kit.onboard()
        first, second = sorted(b.scheduled_at for b in kit.store.beeps_for(pid))[:2]
        kit.clock.set(first + dt.timedelta(minutes=3))
        sent = kit.send_due()
        kit.clock.set(second + dt.timedelta(minutes=10))
        late = kit.send_due()

        assert len(sent) == 1
        assert late == []
        statuses = sorted((b.scheduled_at, b.status) for b in kit.store.beeps_for(pid))[:2]
        assert [s for _, s in statuses] == [
            BeepStatus.EXPIRED,
            BeepStatus.MISSED,
        ]  # sent, unanswered

    def test_blocked_participant_is_not_beeped_again(self, kit: Kit) -> None:
        """A 403 marks the participant inactive and cancels their future beeps."""
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        action = next(a for a in kit.study.tick() if a.kind is ActionKind.SEND_BEEP)
        assert action.beep is not None
        kit.study.beep_failed(action.beep.id, blocked=True)
        kit.clock.advance(days=1)

        assert kit.send_due() == []
        participant = kit.store.get_participant(pid)
        assert participant is not None
        assert not participant.active
        statuses = collections.Counter(b.status for b in kit.store.beeps_for(pid))
        assert statuses == {BeepStatus.MISSED: 1, BeepStatus.CANCELLED: 11}

    def test_mark_unreachable_by_chat(self, kit: Kit) -> None:
        """The sender's on_blocked(chat_id) hook finds the participant by chat id."""
        pid = kit.onboard()
        participant = kit.study.mark_unreachable(TG + 1)

        assert participant is not None
        assert participant.id == pid
        assert not participant.active

    def test_transient_failure_is_retried(self, kit: Kit) -> None:
        """A failed send (not 403) releases the beep so the next tick hands it out again."""
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        action = next(a for a in kit.study.tick() if a.kind is ActionKind.SEND_BEEP)
        assert action.beep is not None
        kit.study.beep_failed(action.beep.id)
        kit.clock.advance(seconds=30)

        assert kit.send_due() == [action.beep.id]

    def test_reminders_can_be_turned_off(self, tmp_path: Path) -> None:
        """reminder_after=None: an unanswered beep only expires."""
        kit = Kit(tmp_path / "r.sqlite3", reminder_after=None)
        pid = kit.onboard()
        driver = Driver(kit.study, kit.clock)
        driver.run_until(kit.first_beep_time(pid) + dt.timedelta(minutes=30))

        assert driver.kinds(ActionKind.SEND_REMINDER) == []
        assert len(driver.kinds(ActionKind.EXPIRE_BEEP)) == 1


class TestReports:
    def _open_beep(self, kit: Kit) -> str:
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        assert len(kit.send_due()) == 1
        kit.clock.advance(minutes=2)
        return pid

    def test_edit_by_someone_not_taking_part_is_refused_without_a_word(self, kit: Kit) -> None:
        """An edit from a stranger, a withdrawn or a rejoined, unconsented participant: refused,
        silently, nothing stored."""
        pid = self._open_beep(kit)
        kit.say("[45] <feeling> a pang", key="tg:1:10")

        def edit(who: int) -> tuple[bool, ReportKind | None, tuple[object, ...]]:
            outcome = kit.study.edit_report(who, "a pang", original_key="tg:1:10", dedup_key="e")
            return outcome.ok, outcome.kind, outcome.messages

        silent = (False, ReportKind.REFUSED, ())
        assert edit(TG + 1) == silent  # a stranger
        kit.study.withdraw(TG)
        assert edit(TG) == silent
        rejoined = kit.study.register(TG, chat_id=TG).participant
        assert rejoined is not None
        assert rejoined.status is ParticipantStatus.REGISTERED
        assert edit(TG) == silent
        assert len(kit.store.reports_for(pid)) == 1

    def test_replayed_message_is_stored_once(self, kit: Kit) -> None:
        """The same dedup key returns the first result's feedback and stores nothing new."""
        pid = self._open_beep(kit)
        first = kit.say("[45] <feeling> a pang", key="tg:1:10")
        again = kit.say("[45] <feeling> a pang", key="tg:1:10")

        assert first.kind is ReportKind.ON_TIME
        assert again.kind is ReportKind.DUPLICATE
        assert again.report is not None
        assert first.report is not None
        assert again.report.id == first.report.id
        assert again.messages[0].params["score"] == 45
        assert len(kit.store.reports_for(pid)) == 1
        assert len(kit.validator.calls) == 1

    def test_text_without_beep_is_kept_but_not_validated(self, kit: Kit) -> None:
        """No open beep: the text is stored, the participant told, the validator not called."""
        pid = kit.onboard()
        outcome = kit.say("I just feel like writing")

        assert outcome.kind is ReportKind.NO_BEEP
        assert outcome.keys == (MessageKey.NO_BEEP_PENDING,)
        (stored,) = kit.store.reports_for(pid)
        assert stored.beep_id is None
        assert stored.score is None
        assert kit.validator.calls == []

    def test_empty_text_is_not_stored(self, kit: Kit) -> None:
        """Whitespace is answered with a prompt and nothing is stored."""
        pid = self._open_beep(kit)
        outcome = kit.say("  \n\t ")

        assert outcome.kind is ReportKind.EMPTY
        assert kit.store.reports_for(pid) == []

    def test_practice_beep_gets_feedback_and_does_not_count(self, kit: Kit) -> None:
        """A practice report gets feedback but no average, compliance or day credit."""
        pid = kit.onboard()
        practice = kit.study.practice(TG)
        outcome = kit.say("[90] <inner_seeing> a blue door")

        assert practice.keys == (MessageKey.BEEP_PRACTICE,)
        assert outcome.kind is ReportKind.PRACTICE
        assert outcome.keys == (MessageKey.FEEDBACK_PRACTICE,)
        participant = kit.store.get_participant(pid)
        assert participant is not None
        assert participant.average_data_quality == 0
        total = kit.study.compliance(pid)[-1]
        assert (total.sent, total.answered) == (0, 0)
        assert kit.validator.calls[0]["training_day"] is None

    def test_two_practice_beeps_a_day(self, kit: Kit) -> None:
        """Each practice beep has its own id."""
        pid = kit.onboard()
        kit.study.practice(TG)
        kit.clock.advance(minutes=1)
        kit.study.practice(TG)

        practice = [b for b in kit.store.beeps_for(pid) if b.study_day == 0]
        assert len({b.id for b in practice}) == 2

    def test_no_second_retry(self, kit: Kit) -> None:
        """Below the pass mark twice: only one retry is offered; a third text right away
        continues the second version (no third attempt), a later one is not attached."""
        self._open_beep(kit)
        first = kit.say("[10] meh")
        second = kit.say("[20] meh again")
        third = kit.say("[30] and again")
        kit.clock.advance(minutes=4)
        fourth = kit.say("[40] once more")

        assert first.retry_offered
        assert not second.retry_offered
        assert (first.kind, second.kind, third.kind, fourth.kind) == (
            ReportKind.ON_TIME,
            ReportKind.RETRY,
            ReportKind.CONTINUATION,
            ReportKind.NO_BEEP,
        )
        assert third.report is not None
        assert third.report.attempt == 2
        assert third.messages[0] == Message(MessageKey.CONTINUATION_ADDED, {"parts": 2})

    def test_retry_compares_with_the_continued_first_report(self, kit: Kit) -> None:
        """The retry's note names the first report's score as continued (the whole, 20, which
        was offered the retry), not its first message's (50)."""
        self._open_beep(kit)
        first = kit.say("a clear moment")
        kit.clock.advance(minutes=1)
        more = kit.say("[20] and then nothing")
        kit.clock.advance(minutes=1)
        retry = kit.say("[60] better")

        assert (first.kind, more.kind, retry.kind) == (
            ReportKind.ON_TIME,
            ReportKind.CONTINUATION,
            ReportKind.RETRY,
        )
        assert (first.retry_offered, more.retry_offered) == (False, True)
        assert more.messages[0] == Message(MessageKey.CONTINUATION_ADDED, {"parts": 2})
        assert retry.keys == (MessageKey.FEEDBACK_TRAINING, MessageKey.RETRY_RECORDED)
        assert retry.messages[1].params == {"score": 60, "first_score": 20}

    def test_retry_window_closes(self, kit: Kit) -> None:
        """A second version after the retry window is not attached to the beep."""
        self._open_beep(kit)
        kit.say("[10] meh")
        kit.clock.advance(minutes=16)

        assert kit.say("[80] better").kind is ReportKind.NO_BEEP

    def test_passing_report_offers_no_retry(self, kit: Kit) -> None:
        """At or above the pass mark (40 on day 1) there is no retry offer."""
        self._open_beep(kit)
        outcome = kit.say("[40] a clear moment")

        assert not outcome.retry_offered
        assert MessageKey.RETRY_OFFER not in outcome.keys

    def test_answer_after_late_window_is_not_attached(self, kit: Kit) -> None:
        """Past expiry + the late window, a text is no answer to the beep."""
        self._open_beep(kit)
        kit.clock.advance(minutes=15 + 61)

        assert kit.say("[70] very late").kind is ReportKind.NO_BEEP

    def test_replayed_late_answer_repeats_its_feedback(self, kit: Kit) -> None:
        """A late answer gets no praise (it may describe a later moment), nor does its replay."""
        self._open_beep(kit)
        kit.clock.advance(minutes=20)
        first = kit.say("[70] late but clear", key="tg:1:20")
        again = kit.say("[70] late but clear", key="tg:1:20")

        assert first.kind is ReportKind.LATE
        assert again.kind is ReportKind.DUPLICATE
        assert first.messages[0].params["strengths"] == []
        assert again.messages[0].params == first.messages[0].params

    def test_broken_validator_falls_back_to_local_rules(self, kit: Kit) -> None:
        """A validator that raises does not lose the report: local rules answer."""
        pid = self._open_beep(kit)
        kit.validator.fail_with = RuntimeError("boom")
        outcome = kit.say("At the beep I was saying to myself 'where are my keys?'")

        assert outcome.kind is ReportKind.ON_TIME
        assert outcome.assessment is not None
        assert outcome.assessment.fallback_reason == "validator_error"
        assert outcome.keys[-1] is MessageKey.AI_UNAVAILABLE
        (stored,) = kit.store.reports_for(pid)
        assert stored.fallback_reason == "validator_error"
        assert any(e.kind == "validator_failed" for e in kit.store.iter_events(participant_id=pid))

    def test_rate_limited_feedback_says_when_full_feedback_resumes(self, kit: Kit) -> None:
        """A rate-limited answer carries the minutes until AI feedback resumes."""
        self._open_beep(kit)
        kit.validator.fallback_reason = RateLimitExceeded.fallback_reason
        kit.validator.retry_after = 240
        outcome = kit.say("[60] something")

        assert outcome.keys[-1] is MessageKey.AI_RATE_LIMITED
        assert outcome.messages[-1].params["minutes"] == 4

    def test_plain_function_validator(self, tmp_path: Path) -> None:
        """esm_validate.validate (a function, not an object) is accepted."""
        kit = Kit(tmp_path / "f.sqlite3")
        kit.study = kit.make_study(validator=local_validate)
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        kit.send_due()
        outcome = kit.say("At the moment of the beep I saw a red cup in my mind.")

        assert outcome.kind is ReportKind.ON_TIME
        assert outcome.report is not None
        assert outcome.report.score is not None

    def test_long_text_is_kept_whole_and_validated_in_part(self, tmp_path: Path) -> None:
        """A 100 KB report is stored whole; the validator sees max_report_chars."""
        kit = Kit(tmp_path / "l.sqlite3", max_report_chars=1000)
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        kit.send_due()
        text = "[50] " + "x" * 100_000
        outcome = kit.say(text)

        assert outcome.report is not None
        assert outcome.report.text == text
        assert len(kit.validator.calls[0]["text"]) == 1000
        assert outcome.report.assessment["_study"]["truncated"] is True


class TestPauseWithdrawDelete:
    def test_pause_stops_beeps_and_resume_replans(self, kit: Kit) -> None:
        """Paused: no beeps; resumed: the rest of the day is planned again from now."""
        pid = kit.onboard()
        paused = kit.study.pause(TG)
        assert kit.study.pause(TG).keys == (MessageKey.ALREADY_PAUSED,)
        driver = Driver(kit.study, kit.clock)
        driver.run_until(dt.datetime(2026, 5, 5, 9, 0, tzinfo=UTC))  # 12:00 Moscow, day 1
        assert driver.kinds(ActionKind.SEND_BEEP) == []

        resumed = kit.study.resume(TG)
        now = kit.clock.now
        driver.run_until(dt.datetime(2026, 5, 5, 19, 0, tzinfo=UTC))

        assert paused.keys == (MessageKey.PAUSED,)
        assert resumed.keys == (MessageKey.RESUMED,)
        assert resumed.participant is not None
        assert resumed.participant.status is ParticipantStatus.TRAINING
        sent = [a.beep for a in driver.kinds(ActionKind.SEND_BEEP) if a.beep]
        assert sent
        assert all(b.scheduled_at > now for b in sent)
        assert kit.study.resume(TG).keys == (MessageKey.NOT_PAUSED,)
        assert {e.kind for e in kit.store.iter_events(participant_id=pid)} >= {"paused", "resumed"}

    def test_pause_until_resumes_by_itself(self, kit: Kit) -> None:
        """A pause with an end resumes in tick() and the participant is told."""
        kit.onboard()
        kit.study.pause(TG, until=START + dt.timedelta(hours=2))
        driver = Driver(kit.study, kit.clock)
        driver.run_until(START + dt.timedelta(hours=3))

        notices = [a.message.key for a in driver.kinds(ActionKind.NOTIFY)]
        assert notices == [MessageKey.RESUMED]
        participant = kit.study.participant(TG)
        assert participant is not None
        assert participant.status is ParticipantStatus.TRAINING

    def test_open_beep_can_be_answered_while_paused(self, kit: Kit) -> None:
        """Pausing right after a beep does not throw away its answer."""
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        kit.send_due()
        kit.study.pause(TG)
        kit.clock.advance(minutes=3)

        assert kit.say("[60] the open one").kind is ReportKind.ON_TIME

    def test_withdraw_stops_everything(self, kit: Kit) -> None:
        """After withdrawal no beep is sent and every planned one is cancelled."""
        pid = kit.onboard()
        outcome = kit.study.withdraw(TG)
        driver = Driver(kit.study, kit.clock)
        driver.run_until(START + dt.timedelta(days=3))

        assert outcome.keys == (MessageKey.WITHDRAWN,)
        assert driver.kinds(ActionKind.SEND_BEEP) == []
        assert {b.status for b in kit.store.beeps_for(pid)} == {BeepStatus.CANCELLED}

    def test_withdrawn_participant_is_not_told_of_expiry(self, kit: Kit) -> None:
        """An open beep of someone who left expires quietly."""
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        (beep_id,) = kit.send_due()
        kit.study.withdraw(TG)
        kit.clock.advance(minutes=20)
        actions = kit.study.tick()

        assert [a for a in actions if a.kind is ActionKind.EXPIRE_BEEP] == []
        beep = kit.store.get_beep(beep_id)
        assert beep is not None
        assert beep.status is BeepStatus.EXPIRED

    def test_pause_needs_a_running_study(self, kit: Kit) -> None:
        """Someone who left cannot pause; someone consented but not started can."""
        kit.study.register(TG, chat_id=1)
        kit.study.consent(TG)
        assert kit.study.pause(TG).keys == (MessageKey.PAUSED,)
        kit.study.withdraw(TG)

        assert kit.study.pause(TG).keys == (MessageKey.NOT_ACTIVE,)

    def test_unblocking_and_start_again_plans_again(self, kit: Kit) -> None:
        """A participant who blocked the bot and comes back with /start gets beeps again."""
        pid = kit.onboard()
        kit.study.mark_unreachable(TG + 1)
        assert all(b.status is BeepStatus.CANCELLED for b in kit.store.beeps_for(pid))
        back = kit.study.register(TG, chat_id=TG + 1)

        assert back.participant is not None
        assert back.participant.active
        scheduled = [b for b in kit.store.beeps_for(pid) if b.status is BeepStatus.SCHEDULED]
        assert scheduled
        assert all(b.scheduled_at > kit.clock.now for b in scheduled)

    def test_delete_data(self, kit: Kit) -> None:
        """Deletion leaves a tombstone only; /start afterwards is a new participant."""
        pid = self._answered(kit)
        outcome = kit.study.delete_data(TG)

        assert outcome.keys == (MessageKey.DELETE_DONE,)
        assert outcome.messages[0].params["deleted"]["reports"] == 1
        assert kit.store.reports_for(pid) == []
        assert kit.store.beeps_for(pid) == []
        tombstone = kit.store.get_participant(pid)
        assert tombstone is not None
        assert tombstone.telegram_id is None
        assert kit.study.participant(TG) is None
        fresh = kit.study.register(TG, chat_id=5).participant
        assert fresh is not None
        assert fresh.id != pid

    def _answered(self, kit: Kit) -> str:
        pid = kit.onboard()
        kit.clock.set(kit.first_beep_time(pid))
        kit.send_due()
        kit.say("[50] x")
        return pid


class TestStatus:
    def test_status_summary(self, kit: Kit) -> None:
        """Status reports day, answered/missed, average and progress to the threshold."""
        pid = kit.onboard()
        driver = Driver(kit.study, kit.clock)
        answered = iter([True, False])

        def on_beep(action: Action) -> None:
            if next(answered, False):
                driver.at(kit.clock.now + dt.timedelta(minutes=1), lambda: kit.say("[63] x"))

        driver.on_beep = on_beep
        second = sorted(b.scheduled_at for b in kit.store.beeps_for(pid))[1]
        driver.run_until(second + dt.timedelta(minutes=30))
        outcome = kit.study.status(TG)
        params = outcome.messages[0].params

        assert outcome.keys == (MessageKey.STATUS,)
        assert (params["state"], params["training_day"], params["day"]) == ("training", 1, 1)
        assert (params["answered"], params["missed"]) == (1, 1)
        assert (params["average"], params["threshold"], params["progress"]) == (63.0, 70, 90)
        assert (params["today_answered"], params["today_planned"]) == (1, 6)


class TestProgression:
    def _progress(self, **changes: Any) -> Progress:
        base = Progress(ParticipantStatus.TRAINING, 1, 0, 1, False, 0)
        return attrs.evolve(base, **changes)

    def test_pass(self) -> None:
        """Average at the pass mark with enough reports passes the day."""
        result, after = close_day(StudyConfig(), self._progress(), [40, 40, 40], 6)

        assert result.outcome is DayOutcome.PASSED
        assert (after.training_day, after.day_repeats, after.study_day) == (2, 0, 2)

    def test_short_day_is_repeated_once_then_moves_on(self) -> None:
        """Below the mark: repeat; below again: advance anyway (nobody is stuck)."""
        config = StudyConfig()
        first, repeated = close_day(config, self._progress(), [30, 30, 30], 6)
        second, moved = close_day(config, repeated, [35, 35, 35], 6)

        assert (first.outcome, repeated.training_day, repeated.day_repeats) == (
            DayOutcome.REPEAT,
            1,
            1,
        )
        assert (second.outcome, moved.training_day, moved.day_repeats) == (
            DayOutcome.ADVANCED,
            2,
            0,
        )

    def test_too_few_reports_falls_short(self) -> None:
        """Two excellent reports are fewer than the three a day needs."""
        result, _ = close_day(StudyConfig(), self._progress(), [95, 95], 6)

        assert result.outcome is DayOutcome.REPEAT

    def test_no_repeats_configured(self) -> None:
        """max_day_repeats=0: a short day moves on at once."""
        result, after = close_day(StudyConfig(max_day_repeats=0), self._progress(), [10], 6)

        assert result.outcome is DayOutcome.ADVANCED
        assert after.training_day == 2

    def test_day_without_delivery_does_not_count(self) -> None:
        """A fully paused day changes nothing."""
        progress = self._progress()
        result, after = close_day(StudyConfig(), progress, [], 0)

        assert result.outcome is DayOutcome.SKIPPED
        assert after == progress

    def test_last_training_day_then_sampling_then_completed(self) -> None:
        """Day 3 passed -> sampling; after sampling_days counted days -> completed."""
        config = StudyConfig(sampling_days=2)
        _, sampling = close_day(config, self._progress(training_day=3), [70, 80, 90], 6)
        _, still = close_day(config, sampling, [], 6)
        _, done = close_day(config, still, [50], 6)

        assert (sampling.status, sampling.training_completed) == (
            ParticipantStatus.SAMPLING,
            True,
        )
        assert still.status is ParticipantStatus.SAMPLING
        assert done.status is ParticipantStatus.COMPLETED

    def test_a_lost_marker_never_closes_a_day_twice(self, kit: Kit) -> None:
        """Another writer replacing ``extra`` with an old copy (the marker gone) does not make
        the engine close the day again: the day_closed event is the record."""
        pid = kit.onboard()
        driver = Driver(kit.study, kit.clock)
        driver.run_until(dt.datetime(2026, 5, 6, 3, 0, tzinfo=UTC))
        closed = kit.store.get_participant(pid)
        assert closed is not None
        assert "closed_through" in closed.extra
        stale = {k: v for k, v in closed.extra.items() if k != "closed_through"}
        kit.store.update_participant(pid, extra={**stale, "bot_awaiting": "timezone"})
        kit.study._quiet_until.clear()
        driver.run_until(dt.datetime(2026, 5, 6, 4, 0, tzinfo=UTC))

        after = kit.store.get_participant(pid)
        assert after is not None
        assert (after.current_training_day, after.day_repeats) == (1, 1)
        assert len(after.quality_history) == 1
        assert after.extra["closed_through"] == "2026-05-05"
        assert after.extra["bot_awaiting"] == "timezone"
        assert [n.message.key for n in driver.kinds(ActionKind.NOTIFY)] == [MessageKey.DAY_REPEAT]

    def test_engine_repeats_a_short_day(self, kit: Kit) -> None:
        """End to end: nothing answered on day 1 -> the day_repeat notice, still day 1."""
        pid = kit.onboard()
        driver = Driver(kit.study, kit.clock)
        driver.run_until(dt.datetime(2026, 5, 6, 3, 0, tzinfo=UTC))

        notices = driver.kinds(ActionKind.NOTIFY)
        assert [n.message.key for n in notices] == [MessageKey.DAY_REPEAT]
        assert notices[0].message.params["focus"] == "moment_capture"
        participant = kit.store.get_participant(pid)
        assert participant is not None
        assert (participant.current_training_day, participant.day_repeats) == (1, 1)
        assert participant.quality_history[0].responses_count == 0


class TestAnalytics:
    @staticmethod
    def _report(i: int, score: int, phenomena: tuple[str, ...], issues: tuple[str, ...]) -> Report:
        return Report(
            id=f"r{i}",
            participant_id="p",
            beep_id=f"p:2026-05-05:{i}",
            text="a b c",
            received_at=START + dt.timedelta(minutes=i),
            score=score,
            phenomena=phenomena,  # type: ignore[arg-type]
            issue_codes=issues,  # type: ignore[arg-type]
        )

    def test_profile_against_norms(self) -> None:
        """Shares are per report and set beside Heavey & Hurlburt's figures."""
        reports = [
            self._report(0, 50, ("inner_speech", "feeling"), ()),
            self._report(1, 50, ("inner_speech",), ()),
            self._report(2, 50, (), ()),
            self._report(3, 50, ("inner_seeing",), ()),
        ]
        kit_rows = {row.code: row for row in phenomena_profile(reports)}

        assert kit_rows["inner_speech"].share == 0.5
        assert kit_rows["inner_speech"].norm == PHENOMENA_NORMS["inner_speech"] == 0.26
        assert kit_rows["inner_speech"].difference == 0.24
        assert kit_rows["unsymbolized_thinking"].count == 0
        assert set(PHENOMENA_NORMS) == set(kit_rows)

    def test_hint_prefers_a_recurring_issue(self) -> None:
        """Ten reports, four generalising: the hint is about generalisation."""
        reports = [
            self._report(i, 50, ("inner_speech",), ("generalization",) if i < 4 else ())
            for i in range(10)
        ]

        hint = personal_hint(reports, min_data=10)
        assert hint is not None
        assert (hint.kind, hint.code, hint.share) == ("issue", "generalization", 0.4)
        assert personal_hint(reports[:9], min_data=10) is None

    def test_hint_on_a_lopsided_profile(self) -> None:
        """No recurring issue, inner speech in 8 of 10: the hint names it and what is missing."""
        reports = [
            self._report(i, 50, ("inner_speech",) if i < 8 else ("feeling",), ()) for i in range(10)
        ]

        hint = personal_hint(reports, min_data=10)
        assert hint is not None
        assert (hint.kind, hint.code) == ("phenomena", "inner_speech")
        assert "inner_seeing" in hint.missing
        assert "feeling" not in hint.missing

    def test_best_attempt_counts_once(self) -> None:
        """Two attempts at one beep count once, at the better score."""
        first = self._report(0, 30, (), ())
        retry = Report(
            id="r0b",
            participant_id="p",
            beep_id=first.beep_id,
            text="x",
            received_at=START,
            score=55,
            attempt=2,
        )

        assert [r.id for r in best_attempts([first, retry])] == ["r0b"]

    def test_compliance_rows_without_reports(self) -> None:
        """No beeps: one total row with no rate."""
        (total,) = compliance_rows("p", [], [])

        assert total.local_date is None
        assert total.rate is None


class TestParseWindow:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("09:00-21:00", (dt.time(9), dt.time(21))),
            ("9-21", (dt.time(9), dt.time(21))),
            ("22:30 – 02:00", (dt.time(22, 30), dt.time(2))),
            ("08.15-20.45", (dt.time(8, 15), dt.time(20, 45))),
        ],
    )
    def test_accepted(self, text: str, expected: tuple[dt.time, dt.time]) -> None:
        """Common spellings of a window parse."""
        assert parse_window(text) == expected

    @pytest.mark.parametrize("text", ["", "9", "25-26", "a-b", "9-21-23", "09:61-10:00"])
    def test_refused(self, text: str) -> None:
        """Anything else is a ScheduleError a participant can read."""
        with pytest.raises(ScheduleError, match="waking window"):
            parse_window(text)


@pytest.mark.slow
class TestRandomSessions:
    """Random mixes of settings changes, pauses, answers and ticks keep the delivery rules."""

    ops = st.lists(
        st.tuples(
            st.integers(1, 180),  # minutes to advance
            st.one_of(
                st.just(("tick",)),
                st.tuples(st.just("tz"), st.sampled_from(["Asia/Kathmandu", "UTC", "+3", "-0330"])),
                st.tuples(
                    st.just("window"), st.sampled_from(["08:00-20:00", "10-22", "06:30-23:30"])
                ),
                st.tuples(st.just("beeps"), st.integers(1, 10)),
                st.just(("pause",)),
                st.just(("resume",)),
                st.just(("answer",)),
            ),
        ),
        min_size=5,
        max_size=25,
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=ops)
    def test_no_double_send_no_gap_violation_no_beep_while_paused(
        self, ops: list[tuple[int, tuple[object, ...]]]
    ) -> None:
        """Each beep is handed out once, sent beeps keep the gap, none goes out while paused."""
        clock = WallClock(dt.datetime(2026, 5, 5, 4, 0, tzinfo=UTC))  # 07:00 Moscow
        store = SqliteStore(":memory:", utcnow=clock)
        config = StudyConfig(start_same_day=True)
        study = Study(store, ScriptedValidator(), config, clock=clock, rng=random.Random(3))
        study.register(TG, chat_id=1, lang="en")
        study.consent(TG)
        study.start(TG)
        sent: list[str] = []
        counter = itertools.count()
        try:
            for minutes, op in ops:
                for _ in range(0, minutes, 5):
                    clock.advance(minutes=5)
                    paused = study.participant(TG).status is ParticipantStatus.PAUSED  # type: ignore[union-attr]
                    for action in study.tick():
                        if action.kind is ActionKind.SEND_BEEP and action.beep is not None:
                            assert not paused
                            study.beep_sent(action.beep.id, 1)
                            sent.append(action.beep.id)
                name = op[0]
                if name == "tz":
                    study.set_timezone(TG, str(op[1]))
                elif name == "window":
                    study.set_window(TG, str(op[1]))
                elif name == "beeps":
                    study.set_beeps_per_day(TG, int(op[1]))  # type: ignore[call-overload]
                elif name == "pause":
                    study.pause(TG)
                elif name == "resume":
                    study.resume(TG)
                elif name == "answer":
                    study.handle_text(TG, "[50] x", dedup_key=f"k{next(counter)}")

            assert len(sent) == len(set(sent))
            beeps = {b.id: b for b in store.iter_beeps()}
            times = sorted(beeps[i].scheduled_at for i in sent)
            assert all(b - a >= StudyConfig().min_gap for a, b in itertools.pairwise(times))
            assert all(beeps[i].sent_at is not None for i in sent)
        finally:
            store.close()


class TestDstInTheEngine:
    def _kit_in_new_york(self, tmp_path: Path, window: str, n: int) -> tuple[Kit, str]:
        kit = Kit(tmp_path / "dst.sqlite3")
        kit.clock.now = dt.datetime(2026, 3, 6, 18, 0, tzinfo=UTC)  # before any record
        kit.study.register(TG, chat_id=1, lang="en")
        assert kit.study.set_timezone(TG, "america/new_york").ok
        assert kit.study.set_beeps_per_day(TG, n).ok
        assert kit.study.set_window(TG, window).ok
        kit.study.consent(TG)
        kit.study.start(TG)
        participant = kit.study.participant(TG)
        assert participant is not None
        return kit, participant.id

    def test_short_spring_day_still_gets_every_beep(self, tmp_path: Path) -> None:
        """10 beeps 45 min apart fill 01:00-08:30, which lasts 6.5 h on 8 March: the engine
        plans all ten as far apart as that day allows, inside the window."""
        kit, pid = self._kit_in_new_york(tmp_path, "01:00-08:30", 10)
        day = [b for b in kit.store.beeps_for(pid) if b.local_date == dt.date(2026, 3, 8)]
        times = sorted(b.scheduled_at for b in day)

        assert len(times) == 10
        assert min(b - a for a, b in itertools.pairwise(times)) >= dt.timedelta(minutes=39)
        zone = ZoneInfo("America/New_York")
        assert all(dt.time(1) <= t.astimezone(zone).time() <= dt.time(8, 30) for t in times)
        kit.store.close()

    def test_window_skipped_by_the_change_is_logged(self, tmp_path: Path) -> None:
        """02:05-02:55 does not exist on 8 March in New York: no beeps, a day_not_planned event."""
        kit, pid = self._kit_in_new_york(tmp_path, "02:05-02:55", 1)
        dates = collections.Counter(b.local_date for b in kit.store.beeps_for(pid))

        assert dates == {dt.date(2026, 3, 7): 1}
        events = list(kit.store.iter_events(participant_id=pid, kind="day_not_planned"))
        assert [e.data["code"] for e in events] == ["schedule.window_skipped"]
        kit.store.close()
