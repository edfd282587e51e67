"""``python -m esm_bot``: the same as the ``esm-bot`` command."""

from __future__ import annotations

import sys

from esm_bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
