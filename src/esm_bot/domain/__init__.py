"""The bot's shared values (records, clock, schedule, redaction); imports nothing of esm_bot."""
