"""``python -m esm_bot``: the same as the ``esm-bot`` command."""

from esm_bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
