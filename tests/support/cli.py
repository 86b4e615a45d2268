"""The command line as the suite runs it in-process: in English, the language its
assertions are written in (the product's default is Dutch)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from bot.cli import main as cli


def main(argv: Sequence[str]) -> int:
    """Run `klantstem ARGV` in this process with English as the configured language."""
    return cli.main(argv, environ={**os.environ, "KLANTSTEM_LANGUAGE": "en"})
