"""Operations commands of esm-bot: health, migrate, export, backup, stats, report."""
