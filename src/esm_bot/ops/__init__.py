"""Operations of esm-bot: health, migrate, export, backup, stats, report (docs/operations.md).
Nothing is imported here, so registering the subcommands costs ``esm-bot run`` nothing."""
