"""Operations of esm-bot: health, migrate, export, backup, stats, report (docs/operations.md).

:mod:`esm_bot.ops.cli` registers the subcommands; nothing is imported here, so registering them
costs ``esm-bot run`` nothing.
"""
