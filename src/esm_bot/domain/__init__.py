"""The bot's shared values, below everything else (records, schedule, clock, redaction);
nothing here imports another part of :mod:`esm_bot`."""
