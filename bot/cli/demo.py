"""`klantstem demo`: fill an empty database with a realistic synthetic organisation, played
day by day through the bot itself on a clock of its own (see `bot.cli.demo_world`)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot import i18n
from bot.cli.common import EXIT_REFUSED, EXIT_USAGE, open_all, where
from bot.cli.demo_world import DEFAULT_DAYS, DEFAULT_SEED, DatabaseNotEmpty, seed_demo
from bot.config.settings import Config
from bot.timeutil import utc_now


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `demo`."""
    p = sub.add_parser(
        "demo", parents=[common], help="fill an empty database with a synthetic organisation"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same data")
    p.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day the demo data runs up to (default: today)"
    )
    p.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        help="how many days before --today to play, a line per day (default: %(default)s;"
        " 45 shows the autumn KTO and its weeks of follow-up)",
    )
    p.set_defaults(command=cmd_demo)


async def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    """Write the demo organisation and say what to run next."""
    _ = i18n.translator(config.default_language).gettext
    try:
        today = date.fromisoformat(args.today) if args.today else utc_now().date()
    except ValueError:
        print(
            "klantstem: " + _("--today must be a date such as 2026-11-23."),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.days < 1:
        print("klantstem: " + _("--days must be 1 or more."), file=sys.stderr)
        return EXIT_USAGE
    storage, _surveys = await open_all(config)

    def said(day: date, text: str) -> None:
        print(f"{day.isoformat()}  {text}", flush=True)

    try:
        summary = await seed_demo(
            storage, config, seed=args.seed, today=today, days=args.days, on_day=said
        )
        await storage.scrub()
    except DatabaseNotEmpty:
        print(
            "klantstem: "
            + _(
                "{where} already holds data; the demo only fills an empty database. "
                "Choose another one with --db sqlite:///demo.db"
            ).format(where=where(storage)),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    finally:
        await storage.close()
    print(
        _(
            "Demo organisation written to {where}: {staff} staff, {contacts} customers, "
            "{responses} responses, {flags} flags; waves: {waves}."
        ).format(
            where=where(storage),
            staff=summary.staff,
            contacts=summary.contacts,
            responses=summary.responses,
            flags=summary.flags,
            waves=", ".join(summary.waves),
        )
    )
    print(_("Next: klantstem report --format html --out report.html"))
    return 0
