"""`klantstem wave start|status|close|list|publish`: waves from the command line.

The invitations of a started wave are sent by the running bot (`klantstem run`), at the
platform's pace; `wave status` in a terminal follows them live with a progress bar.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import i18n
from bot.cli.common import EXIT_REFUSED, open_all
from bot.cli.report import add_publish
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.flags.listing import wave_lines
from bot.people.population import PopulationError, parse_filters
from bot.waves.chat import repeated
from bot.waves.invitations import Invitations
from bot.waves.waves import WaveError, Waves, parse_closing

REFRESH_SECONDS = 1.0


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `wave` with its actions."""
    wave = sub.add_parser("wave", help="start, follow and close survey waves")
    actions = wave.add_subparsers(required=True, metavar="ACTION")
    p = actions.add_parser("start", parents=[common], help="start a wave; prints its id")
    p.add_argument("survey", metavar="SURVEY")
    p.add_argument("filters", nargs="*", metavar="key=value", help="imported attributes to match")
    p.add_argument("--closes", metavar="DATE", help="closing date, e.g. 2026-12-31")
    p.add_argument(
        "--again",
        action="store_true",
        help="start it even if the same survey and filters started a moment ago"
        " (KLANTSTEM_WAVE_REPEAT_MINUTES)",
    )
    p.set_defaults(command=cmd_start)
    p = actions.add_parser("status", parents=[common], help="progress of a wave (default: latest)")
    p.add_argument("wave", nargs="?", metavar="WAVE", help="wave id or its first characters")
    p.add_argument("--once", action="store_true", help="print once, even in a terminal")
    p.add_argument(
        "--people", action="store_true", help="also list each invited person and their status"
    )
    p.set_defaults(command=cmd_status)
    p = actions.add_parser("close", parents=[common], help="close a wave now")
    p.add_argument("wave", metavar="WAVE")
    p.set_defaults(command=cmd_close)
    p = actions.add_parser("list", parents=[common], help="the latest waves")
    p.set_defaults(command=cmd_list)
    add_publish(actions, common)


async def _waves(config: Config) -> Waves:
    storage, surveys = await open_all(config)
    service = Service(storage, surveys, config)
    return Waves(service, Invitations(service))


def _refuse(config: Config, reason: object) -> int:
    _ = i18n.translator(config.default_language).gettext
    print(_("Nothing was changed: {reason}").format(reason=reason), file=sys.stderr)
    return EXIT_REFUSED


async def cmd_start(args: argparse.Namespace, config: Config) -> int:
    """Start a wave and print its id."""
    _ = i18n.translator(config.default_language).gettext
    waves = await _waves(config)
    try:
        closes = (
            parse_closing(args.closes, config.timezone, waves.service.clock())
            if args.closes
            else None
        )
        filters = parse_filters(args.filters)
        twin = None if args.again else await waves.started_like(args.survey, filters)
        if twin is not None:
            return _refuse(config, repeated(twin, config.default_language, config, "--again"))
        started = await waves.start(args.survey, filters, closes, "cli")
    except (WaveError, PopulationError) as exc:
        return _refuse(config, exc)
    finally:
        await waves.service.storage.close()
    assert started is not None
    print(started.wave.id)
    print(
        i18n.translator(config.default_language)
        .ngettext(
            "{n} invitation queued; the running bot (klantstem run) sends it.",
            "{n} invitations queued; the running bot (klantstem run) sends them.",
            started.invited,
        )
        .format(n=started.invited),
        file=sys.stderr,
    )
    print(
        _("Follow it with: klantstem wave status {id}").format(id=started.wave.id[:8]),
        file=sys.stderr,
    )
    return 0


async def cmd_status(args: argparse.Namespace, config: Config) -> int:
    """Print a wave's progress; in a terminal, redraw it until every invitation is handled."""
    waves = await _waves(config)
    live = sys.stdout.isatty() and not args.once
    try:
        wave = await waves.resolve(args.wave)
        drawn = 0
        while True:
            progress = await waves.progress(wave.id)
            lines = wave_lines(
                wave, progress, config.default_language, config.timezone, waves.service.clock()
            )
            if drawn:
                sys.stdout.write(f"\x1b[{drawn}F\x1b[J")
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()
            drawn = len(lines)
            if not live or progress.pending == 0 or not wave.is_open(waves.service.clock()):
                break
            await asyncio.sleep(REFRESH_SECONDS)
            wave = await waves.resolve(wave.id)
        if args.people:
            async with waves.service.storage.transaction(write=False) as tx:
                people = await tx.invitation_statuses(wave.id)
            for ref, name, status in people:
                print(f"{ref:<16}{name:<32}{status}")
        return 0
    except WaveError as exc:
        return _refuse(config, exc)
    finally:
        await waves.service.storage.close()


async def cmd_close(args: argparse.Namespace, config: Config) -> int:
    """Close a wave: no more invitations or reminders go out for it."""
    _ = i18n.translator(config.default_language).gettext
    waves = await _waves(config)
    try:
        wave = await waves.close((await waves.resolve(args.wave)).id, "cli")
    except WaveError as exc:
        return _refuse(config, exc)
    finally:
        await waves.service.storage.close()
    print(_("Wave {id} is closed.").format(id=wave.id))
    return 0


async def cmd_list(args: argparse.Namespace, config: Config) -> int:
    """List the latest waves."""
    lang = config.default_language
    _ = i18n.translator(lang).gettext
    waves = await _waves(config)
    try:
        async with waves.service.storage.transaction(write=False) as tx:
            recent = await tx.recent_waves(20)
            rows = [(w, await tx.wave_progress(w.id)) for w in recent]
    finally:
        await waves.service.storage.close()
    if not rows:
        print(_("There are no waves yet."))
        return 0
    for wave, progress in rows:
        state = _("closed") if wave.closed_at else _("open")
        print(
            f"{wave.id[:8]}  {wave.label:<24}{i18n.moment(wave.opened_at, lang, config.timezone)}"
            f"  {state:<8}"
            + _("{completed} of {invited} completed").format(
                completed=progress.completed, invited=progress.invited
            )
        )
    return 0
