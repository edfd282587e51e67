"""The bot's shared values, below everything else: records (:mod:`~esm_bot.domain.models`), the
beep schedule (:mod:`~esm_bot.domain.schedule`), the study settings (:mod:`~esm_bot.domain.config`),
and the one way of each: settings from the environment (:mod:`~esm_bot.domain.env`), the UTC clock
(:mod:`~esm_bot.domain.clock`) and redaction of secrets (:mod:`~esm_bot.domain.redact`). Nothing
here imports another part of :mod:`esm_bot`.
"""
