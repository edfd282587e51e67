"""``python -m esm_bot``: the same as the ``esm-bot`` command."""

from __future__ import annotations

import sys


def _main() -> int:
    try:
        from esm_bot.cli import main
    except ImportError:  # the bot's CLI is optional here: the operations commands still work
        from esm_bot.ops.cli import main
    code: int = main()
    return code


if __name__ == "__main__":
    sys.exit(_main())
