"""English message catalogue (one address form).

Keys are shared with :mod:`esm_bot.i18n.ru`; :func:`esm_bot.i18n.render` fills the placeholders.
Emoji are used as the seed uses them: a few marks, not decoration.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MESSAGES"]

MESSAGES: Final[dict[str, str]] = {
    # ------------------------------------------------------------------ onboarding
    "welcome": (
        "👋 Hello! This bot runs a Descriptive Experience Sampling study.\n\n"
        "A few times a day at random moments it will beep you with a message. Each time, note "
        "what was in your experience at the very moment of the beep: inner words, images, "
        "feelings, sensations, or nothing at all. The first {training_days} days are training: "
        "after each answer you get a short comment."
    ),
    "consent": (
        "Before we start, please read the consent (version {version}).\n\n"
        "• Your answers are stored for research under a pseudonym; your Telegram id is kept "
        "only to write to you.\n"
        "• Messages pass through Telegram's servers (bot chats are not end-to-end encrypted).\n"
        "• You can pause (/pause), leave (/stop) or delete your data (/delete) at any time.\n\n"
        "Do you agree to take part?"
    ),
    "consent_yes": "I agree",
    "consent_no": "No, thanks",
    "consent_declined": (
        "Understood, nothing will be recorded. If you change your mind, send /start."
    ),
    "consent_needed": "Please answer the consent question first (send /start to see it again).",
    "choose_language": "Choose a language / Выберите язык:",
    "choose_form": "Как к вам обращаться?",
    "ask_timezone": (
        "Which time zone are you in? Press a button, or type an IANA name such as "
        "Europe/Berlin or an offset such as UTC+3."
    ),
    "timezone_invalid": (
        "I could not read “{text}” as a time zone. Try a name like Europe/Berlin or an offset "
        "like UTC+3 or -05:30."
    ),
    "ask_window": (
        "When are you usually awake? Beeps come only inside this window. Press a button or type "
        "it as HH:MM-HH:MM, for example 09:00-21:00."
    ),
    "window_invalid": "I could not use “{text}”: {reason} Please type it like 09:00-21:00.",
    "ask_beeps": "How many beeps a day? ({low}–{high}; {default} is recommended)",
    "beeps_invalid": "Please choose a whole number from {low} to {high}.",
    "setting_invalid": "That setting does not work: {reason}",
    "onboarding_done": (
        "✅ All set: time zone {tz}, window {window}, {beeps} beeps a day.\n"
        "Let's try one practice beep right now; it does not count."
    ),
    "consent_recorded": "✅ Thank you, your consent (version {version}) is recorded.",
    "study_started": (
        "Beeps start on {first_day}: {beeps_per_day} a day, the first {training_days} days are "
        "training."
    ),
    "day_advanced": (
        "Day {day} is over (average {average}). On to day {next_day}; its focus: {focus}."
    ),
    "personal_hint_issue": (
        "A pattern in your answers: “{issue}” comes up often. Watch for it at the next beep."
    ),
    "personal_hint_phenomena": (
        "Most of your answers so far describe {phenomenon}. That is fine: just report whatever "
        "is there, including other kinds of experience."
    ),
    # ------------------------------------------------------------------ beeps
    "beep": (
        "🔔 Beep! What was in your experience at the very moment of the beep, just before you "
        "saw this message? Describe it in a few sentences."
    ),
    "beep_practice": (
        "🔔 Practice beep. Freeze this moment: what was in your experience right before you "
        "read this? Describe it in a few sentences."
    ),
    "reminder": (
        "A gentle reminder: the last beep is still open for a few minutes. What was in your "
        "experience at that moment?"
    ),
    "beep_expired": "This beep has expired. The next one will come later today.",
    "no_beep_pending": (
        "There is no open beep right now. Your next one will come at a random moment; "
        "send /practice to try a practice beep."
    ),
    "late_report": (
        "Noted. This answer came a while after the beep, so it may describe a later moment."
    ),
    # ------------------------------------------------------------------ feedback
    "feedback_training": (
        "Day {day} of training, score {score}/100 ({quality}).\n{strengths}\n💡 {tip}"
    ),
    "feedback_strengths": "What was good: {items}.",
    "feedback_no_strengths": "Keep going: every beep is practice.",
    "feedback_practice": "Practice score {score}/100 ({quality}).\n{strengths}\n💡 {tip}",
    "retry_offer": (
        "You can describe this same moment once more, more precisely. Send your second version "
        "as the next message, or just wait for the next beep."
    ),
    "retry_recorded": "Thank you, both versions are kept.",
    "thanks": "Thank you, recorded.",
    "day_passed": "✅ Training day {day} is done (average {average}). Tomorrow's focus: {focus}.",
    "day_repeat": (
        "Day {day} is done (average {average}). Let's practise this focus once more tomorrow: "
        "{focus}."
    ),
    "training_complete": (
        "✅ Training is complete. From now on there are no scores: just describe the moment of "
        "each beep."
    ),
    "study_complete": "The study is complete. Thank you very much for your time and care!",
    "ai_rate_limited": (
        "(Detailed feedback is busy right now; this is the quick local check. Full feedback "
        "resumes in about {minutes} min.)"
    ),
    "ai_unavailable": (
        "(Detailed feedback is unavailable right now; this is the quick local check.)"
    ),
    # ------------------------------------------------------------------ quality labels
    "quality_garbage": "needs work",
    "quality_poor": "poor",
    "quality_fair": "fair",
    "quality_good": "good",
    "quality_excellent": "excellent",
    "quality_pristine": "pristine",
    # ------------------------------------------------------------------ training focus
    "focus_moment_capture": "catching the moment of the beep",
    "focus_specificity": "concrete detail: what form the experience took",
    "focus_pristine_experience": "the experience itself, not theories about it",
    "tip_moment_capture": (
        "Describe only what was there at the instant of the beep, not what came before or after."
    ),
    "tip_specificity": (
        "Say what form it took: words you heard inside, a picture, a feeling in the body, a "
        "sensation, or a thought without words."
    ),
    "tip_pristine_experience": (
        "Leave out explanations and what you usually do; describe what was directly present."
    ),
    # ------------------------------------------------------------------ commands
    "help": (
        "This bot samples your inner experience at random moments.\n\n"
        "/status – your progress\n/settings – time zone, window, beeps per day, language\n"
        "/practice – a practice beep now\n/pause – pause beeps\n/resume – resume beeps\n"
        "/stop – leave the study\n/delete – delete your data\n/help – this message\n\n"
        "When a beep comes, answer with what was in your experience at that very moment."
    ),
    "status": (
        "Status: {state}. Study day {day}.\n"
        "Beeps answered: {answered}, missed: {missed}.\n"
        "Average quality: {average}. Progress to {threshold}: {progress}%."
    ),
    "state_registered": "registered",
    "state_consented": "consented",
    "state_training": "training",
    "state_sampling": "sampling",
    "state_completed": "completed",
    "state_paused": "paused",
    "state_withdrawn": "withdrawn",
    "settings": (
        "Your settings:\nLanguage: {lang}\nTime zone: {tz}\nWindow: {window}\n"
        "Beeps a day: {beeps}\n\nWhat would you like to change?"
    ),
    "settings_timezone": "Time zone",
    "settings_window": "Window",
    "settings_beeps": "Beeps a day",
    "settings_language": "Language",
    "settings_form": "Address form",
    "settings_saved": "✅ Saved. Future beeps are planned with the new settings.",
    "paused": "Beeps are paused. Send /resume when you want to continue.",
    "already_paused": "Beeps are already paused. Send /resume to continue.",
    "resumed": "✅ Welcome back! Beeps resume from the next planned moment.",
    "not_paused": "Beeps are not paused.",
    "withdrawn": (
        "You have left the study; no more beeps. Your answers are kept unless you delete them "
        "with /delete. Thank you for taking part!"
    ),
    "delete_confirm": (
        "This deletes your answers, beeps and personal data from the study for good. Continue?"
    ),
    "delete_yes": "Yes, delete",
    "delete_no": "Cancel",
    "delete_done": "Your data has been deleted. Goodbye!",
    "delete_cancelled": "Nothing was deleted.",
    "not_registered": "Send /start to join the study.",
    "not_active": "You are not taking part right now. Send /start to join again.",
    # ------------------------------------------------------------------ odd input
    "unknown_command": "I don't know that command. Send /help to see what I can do.",
    "unsupported_content": ("I can only read text. Please describe the moment in words."),
    "too_long": (
        "This message is too long ({length} characters). Please describe just the moment of the "
        "beep in a few sentences (up to {limit} characters)."
    ),
    "empty_text": "The message looks empty. Please describe the moment in words.",
    "button_expired": "This button is no longer active.",
    "error": (
        "Sorry, something went wrong on our side. Your message is kept; please try again later."
    ),
    # ------------------------------------------------------------------ buttons
    "button_other": "Other…",
    # ------------------------------------------------------------------ researcher
    "admin_stats": "Study figures:\n{lines}",
    "admin_export_caption": "Study export, {rows} rows (participants pseudonymised).",
    "admin_export_failed": "Export failed: {reason}",
    "admin_health": "Health: {summary}\n{lines}",
    "admin_unavailable": "This researcher command is not available in this installation.",
    # ------------------------------------------------------------------ console
    "console_intro": (
        "esm-bot console: the study conversation in your terminal (offline, nothing leaves this "
        "machine). Type commands like /start, /practice, /status, /help; press a button by typing "
        "its number; /quit to leave."
    ),
    "console_bye": "Bye! Your answers are in {path}.",
}
