"""Registers the operations subcommands on the ``esm-bot`` argument parser."""

from __future__ import annotations

import argparse


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operations subcommands (health, migrate, export, backup, stats, report)."""
