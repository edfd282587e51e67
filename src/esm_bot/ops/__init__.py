"""Operations commands of esm-bot: health, migrate, export, backup, stats, report.

The command line is :mod:`esm_bot.ops.cli` (``add_commands`` registers the subcommands on the
``esm-bot`` parser). The library functions behind it, for the bot's admin commands and for
scripts:

* :func:`esm_bot.ops.health.run_health` → :class:`~esm_bot.ops.health.HealthReport`
* :func:`esm_bot.ops.export.export_study` / :func:`~esm_bot.ops.export.export_to_file`, with the
  codebook from :mod:`esm_bot.ops.codebook`
* :func:`esm_bot.ops.stats.study_stats` → :class:`~esm_bot.ops.stats.StudyStats`
* :func:`esm_bot.ops.backup.backup_sqlite` and :func:`~esm_bot.ops.backup.mongodump_plan`
* :func:`esm_bot.ops.rows.study_rows`: the study as one long table, shared by all of them
* :mod:`esm_bot.ops.migrations` (schema migrations) and :func:`esm_bot.ops.report.build_report`
  (the HTML study report)

Nothing is imported here, so registering the commands costs ``esm-bot run`` nothing.
"""
