"""The bot's shared values, below everything else: records (:mod:`~esm_bot.domain.models`), the
beep schedule (:mod:`~esm_bot.domain.schedule`) and the study settings
(:mod:`~esm_bot.domain.config`). Nothing here imports another part of :mod:`esm_bot`.
"""
