"""English message catalogue (one address form; keys are shared with :mod:`esm_bot.i18n.ru`)."""

from __future__ import annotations

from typing import Final

__all__ = ["TEXT"]

#: One ``key: text`` entry a line, in the catalogue format of :mod:`esm_bot.i18n`.
TEXT: Final = r"""
# onboarding
welcome: 👋 Hello! This bot runs a Descriptive Experience Sampling study.\n\n
    A few times a day at random moments it will beep you with a message. Each time, note what was in
    your experience at the very moment of the beep: inner words, images, feelings, sensations, or
    nothing at all. Training takes the first {training_days} {training_days:day|days}: after each
    answer you get a short comment.
consent: Before we start, please read the consent (version {version}).\n\n
    • Your answers are stored for research under a pseudonym; your Telegram id is kept only to write
    to you.\n
    • Messages pass through Telegram's servers (bot chats are not end-to-end encrypted).\n
    • You can pause (/pause), leave (/stop) or delete your data (/delete) at any time.\n\n
    Do you agree to take part?
consent_yes: I agree
consent_no: No, thanks
consent_declined: Understood, nothing will be recorded. If you change your mind, send /start.
consent_needed: Please answer the consent question first (send /start to see it again).
choose_language: Choose a language / Выберите язык:
choose_form: Как к вам обращаться?
ask_timezone: Which time zone are you in? Press a button, or type an IANA name such as Europe/Berlin
    or an offset such as UTC+3.
timezone_invalid: I could not read “{text}” as a time zone. Try a name like Europe/Berlin or an
    offset like UTC+3 or -05:30.
ask_window: When are you usually awake? Beeps come only inside this window. Press a button or type
    it, for example 9-21 or 09:00-21:30.
window_invalid: I could not read “{text}” as waking hours. Type them like 9-21, 09:00-21:00 or
    09.00-21.30.
window_empty: The waking hours cannot start and end at the same time. Try, say, 9-21.
too_many_beeps: {n} {n:beep does|beeps do} not fit into these waking hours with enough time between
    them. Choose fewer beeps or longer hours.
ask_beeps: How many beeps a day? ({low}–{high}; {default} is recommended)
beeps_invalid: Please choose a whole number from {low} to {high}.
setting_invalid: That setting does not work: {reason}
onboarding_done: ✅ All set: time zone {tz}, window {window}, {beeps} {beeps:beep|beeps} a day.
consent_recorded: ✅ Thank you, your consent (version {version}) is recorded.
study_started: 📅 Your first real beeps come {first_day}: {beeps_per_day} {beeps_per_day:beep|beeps}
    at random moments within {window} (your time). Training takes the first {training_days}
    {training_days:day|days}: after each answer you get a short comment.\n
    Right now you can try a practice beep; it does not count. /practice gives another one whenever
    you like.
already_enrolled: You are already taking part.
status_waiting: The study has not started yet: your first real beeps come {first_day},
    {beeps_per_day} {beeps_per_day:beep|beeps} a day within {window}. Training takes the first
    {training_days} {training_days:day|days}. Until then, /practice gives a practice beep that does
    not count.
day_advanced: Day {day} is over (average {average}). On to day {next_day}; its focus: {focus}.
personal_hint_issue: A pattern in your answers: “{issue}” comes up often. Watch for it at the next
    beep.
personal_hint_phenomena: Most of your answers so far describe {phenomenon}. That is fine: just
    report whatever is there, including other kinds of experience.
# beeps
beep: 🔔 Beep! What was in your experience at the very moment of the beep, just before you saw this
    message? Describe it in a few sentences.
beep_practice: 🔔 Practice beep. Freeze this moment: what was in your experience right before you
    read this? Describe it in a few sentences.
beep_pilot: 🧪 Pilot beep (a researcher is trying the study; your answer is kept apart from the
    study data). 🔔 What was in your experience at the very moment of the beep, just before you saw
    this message? Describe it in a few sentences.
reminder: A gentle reminder: the last beep is still open for a few minutes. What was in your
    experience at that moment?
beep_expired: This beep has expired. The next one will come later today.
beep_expired_last: This beep has expired. That was today's last beep; the next ones come tomorrow.
beep_expired_final: This beep has expired.
continuation_added: I added this to your answer to the same beep ({parts} {parts:message|messages})
    and scored the whole answer again.
edit_recorded: I scored your edited answer; the original is kept as well.
repetitive: Your answer repeats the same sentence {times} times, so I read it once. Next time,
    describe the moment once, in your own words: what was there, and in what form?
no_beep_pending: There is no open beep right now. Your next one will come at a random moment; send
    /practice to try a practice beep.
late_report: Noted. This answer came a while after the beep, so it may describe a later moment.
# feedback
feedback_training: Day {day} of training, score {score}/100 ({quality}).\n
    {strengths}\n
    💡 {tip}
feedback_strengths: What was good: {items}.
feedback_no_strengths: Keep going: every beep is practice.
feedback_practice: Practice score {score}/100 ({quality}).\n
    {strengths}\n
    💡 {tip}
retry_offer: You can describe this same moment once more, more precisely. Send your second version
    as the next message, or just wait for the next beep.
retry_recorded: Thank you, both versions are kept.
thanks: Thank you, recorded.
day_passed: ✅ Training day {day} is done (average {average}). Tomorrow's focus: {focus}.
day_repeat: Day {day} is done (average {average}). Let's practise this focus once more tomorrow:
    {focus}.
training_complete: ✅ Training is complete. From now on there are no scores: just describe the
    moment of each beep.
study_complete: The study is complete. Thank you very much for your time and care!
ai_rate_limited: (Detailed feedback is busy right now; this is the quick local check. Full feedback
    resumes in about {minutes} min.)
ai_unavailable: (Detailed feedback is unavailable right now; this is the quick local check.)
# quality labels
quality_garbage: needs work
quality_poor: poor
quality_fair: fair
quality_good: good
quality_excellent: excellent
quality_pristine: pristine
# training focus
focus_moment_capture: catching the moment of the beep
focus_specificity: concrete detail: what form the experience took
focus_pristine_experience: the experience itself, not theories about it
tip_moment_capture: Describe only what was there at the instant of the beep, not what came before or
    after.
tip_specificity: Say what form it took: words you heard inside, a picture, a feeling in the body, a
    sensation, or a thought without words.
tip_pristine_experience: Leave out explanations and what you usually do; describe what was directly
    present.
# commands
help: This bot samples your inner experience at random moments.\n\n
    /status – your progress\n
    /settings – time zone, window, beeps per day, language\n
    /practice – a practice beep now\n
    /pause – pause beeps\n
    /resume – resume beeps\n
    /stop – leave the study\n
    /delete – delete your data\n
    /help – this message\n\n
    When a beep comes, answer with what was in your experience at that very moment.
status: Status: {state}. Study day {day}.\n
    Beeps answered: {answered} on time, {late} late; missed: {missed}.\n
    Average quality of your answers: {average} out of 100. Training goal: an average of {threshold};
    you are at {progress}% of it.
status_no_reports: Status: {state}. Study day {day}.\n
    Beeps answered: {answered} on time, {late} late; missed: {missed}.\n
    No scored answers yet: the average quality appears after your first answer to a beep (the
    training goal is an average of {threshold} out of 100).
state_registered: registered
state_consented: consented
state_training: training
state_sampling: sampling
state_completed: completed
state_paused: paused
state_withdrawn: withdrawn
settings: Your settings:\n
    Language: {lang}\n
    Time zone: {tz}\n
    Window: {window}\n
    Beeps a day: {beeps}\n\n
    What would you like to change?
settings_timezone: Time zone
settings_window: Window
settings_beeps: Beeps a day
settings_language: Language
settings_form: Address form
language_name: English
settings_saved: ✅ Saved. Future beeps are planned with the new settings.
language_saved: ✅ Saved: I will write in English.
form_saved: ✅ Saved.
paused: Beeps are paused. Send /resume when you want to continue.
already_paused: Beeps are already paused. Send /resume to continue.
resumed: ✅ Welcome back! Beeps resume from the next planned moment.
not_paused: Beeps are not paused.
withdrawn: You have left the study; no more beeps. Your answers are kept unless you delete them with
    /delete. Thank you for taking part!
delete_confirm: This deletes your answers, beeps and personal data from the study for good.
    Continue?
delete_yes: Yes, delete
delete_no: Cancel
delete_done: Your data has been deleted. Goodbye!
delete_cancelled: Nothing was deleted.
not_registered: Send /start to join the study.
not_active: You are not taking part right now. Send /start to join again.
# odd input
unknown_command: I don't know that command. Send /help to see what I can do.
unsupported_content: I can only read text (a caption under a photo counts). Please describe the
    moment in words.
too_long: This answer is very long ({length} {length:character|characters}); only the first {limit}
    were checked, and all of it is kept. Next time, please describe just the moment of the beep in a
    few sentences.
empty_text: The message looks empty. Please describe the moment in words.
empty_answer: That answer looks empty.
button_expired: This button is no longer active.
button_stale: That button belongs to an earlier question, so nothing has changed. /settings changes
    a setting; /help shows everything.
consent_stale: You have already agreed to take part, so this old button no longer applies: nothing
    has changed and beeps continue. To leave the study, send /stop; to delete your data, /delete.
error: Sorry, something went wrong on our side. Your message is kept; please try again later.
held: Your message is stored. Our database is briefly unreachable; feedback follows as soon as it is
    back, no need to send it again.
# command menu
cmd_start: Join the study
cmd_help: What the bot does, and its commands
cmd_status: Your progress
cmd_settings: Time zone, waking hours, beeps a day, language
cmd_pause: Pause beeps
cmd_resume: Resume beeps
cmd_stop: Leave the study
cmd_delete: Delete your data
cmd_practice: A practice beep now
# researcher
stat_participants: Participants (consented, not deleted)
stat_registrations: Registrations (every /start, deleted ones included)
stat_samples: Answered study beeps (each beep once: the samples)
stat_answers: Reports (every answer to a beep: retries, practice and pilot beeps included)
stat_pilot_reports: Pilot answers (/pilot; not study data)
stat_messages_without_beep: Messages without a beep (kept, not scored)
stat_beeps_delivered: Beeps delivered
stat_compliance: Compliance (delivered beeps answered on time)
stat_average_quality: Average quality (0-100)
stat_beeps_answered: Beeps answered on time
stat_beeps_late: Beeps answered late
stat_beeps_expired: Beeps expired unanswered
stat_beeps_missed: Beeps missed (not delivered)
admin_stats: Study figures:\n
    {lines}
admin_export_caption: Study export, {rows} rows (participants pseudonymised).
admin_export_failed: Export failed: {reason}
admin_health: Health: {summary}\n
    {lines}
admin_pilot_sent: 🧪 Pilot beep sent to {who}. The answer gets practice feedback and is kept apart
    from the study data (beep_status "pilot" in the export).
admin_pilot_unknown: No pilot beep: {who} is not a consented participant. Send /start yourself (or
    ask them to), accept the consent, then /pilot (yourself) or /pilot TELEGRAM_ID or PSEUDONYM.
# console
console_intro: esm-bot console: the study conversation in your terminal (offline, nothing leaves
    this machine). Type commands like /start, /practice, /status, /help; press a button by typing
    its number; /quit to leave.
console_bye: Bye! Your answers are in {path}. To look at them: ESM_DB_PATH={path} esm-bot stats (or
    export, report).
"""
