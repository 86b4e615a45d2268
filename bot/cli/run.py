"""`klantstem run`: the bot with every configured channel, the scheduler and the web server."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.config.settings import SETTINGS, Config
from bot.runner import run


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `run`."""
    p = sub.add_parser("run", parents=[common], help="run the bot until stopped (SIGTERM)")
    p.set_defaults(command=cmd_run)


def channel_hint(config: Config) -> str | None:
    """When no platform is configured, which variables enable which channel."""
    if any(getattr(config, s.field, None) is not None for s in SETTINGS if s.enables):
        return None
    _ = i18n.translator(config.default_language).gettext
    lines = [_("No chat platform is configured. Set one of these to enable a channel:")]
    lines += [f"  {s.env}: {s.help}" for s in SETTINGS if s.enables]
    lines.append(_("To try a survey without any platform: klantstem try --survey cvs"))
    return "\n".join(lines)


async def cmd_run(args: argparse.Namespace, config: Config) -> int:
    """Run until SIGTERM; say which variables enable channels when none is set."""
    hint = channel_hint(config)
    if hint:
        print(hint, file=sys.stderr)
    return await run(config)
