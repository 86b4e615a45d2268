"""The `klantstem` command line; each area adds its subcommands in `bot/cli/`.

Exit codes: 0 done; 1 refused input (a rejected file, an unknown survey); 2 bad usage or
configuration; 3 input ended before the survey was complete (the answers so far are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
from collections.abc import Mapping, Sequence

from bot import logs
from bot.cli import (
    api,
    db,
    demo,
    flags,
    interaction,
    people,
    person,
    report,
    responses,
    run,
    slack,
    survey,
    waves,
)
from bot.cli.common import EXIT_INCOMPLETE, EXIT_USAGE, Command, Registrar
from bot.config.settings import Config, ConfigError
from bot.storage import DatabaseUnavailable, SchemaTooNew, UnsupportedDatabase
from flows import SurveyError

REGISTRARS: tuple[Registrar, ...] = (
    survey.register,
    people.register,
    run.register,
    db.register,
    slack.register,
    api.register,
    report.register,
    demo.register,
    waves.register,
    interaction.register,
    flags.register,
    person.register,
    responses.register,
)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of the `klantstem` console script; `environ` defaults to the process's."""
    env = os.environ if environ is None else environ
    logs.configure(env.get("KLANTSTEM_LOG_LEVEL", "WARNING"))
    args = build_parser().parse_args(argv)
    try:
        config = Config.load(env, getattr(args, "config", None))
    except ConfigError as exc:
        print(f"klantstem: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "db", None):
        config = dataclasses.replace(config, database_url=args.db)
    command: Command = args.command
    try:
        return asyncio.run(command(args, config))
    except ConfigError as exc:
        print(f"klantstem: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (SurveyError, SchemaTooNew, UnsupportedDatabase, DatabaseUnavailable) as exc:
        print(f"klantstem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nklantstem: interrupted; what was saved stays saved.", file=sys.stderr)
        return EXIT_INCOMPLETE


def build_parser() -> argparse.ArgumentParser:
    """The full parser: common options plus every area's subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: KLANTSTEM_DATABASE_URL, else sqlite:///klantstem.db)",
    )
    common.add_argument(
        "--config",
        metavar="FILE",
        help="TOML file with settings (default: KLANTSTEM_CONFIG); the environment wins",
    )
    parser = argparse.ArgumentParser(
        prog="klantstem", description="Klantstem: customer and employee feedback bot."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(sub, common)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
