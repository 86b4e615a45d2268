"""`klantstem slack link`: link contacts and staff to Slack users by email."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.cli.common import EXIT_REFUSED, EXIT_USAGE, open_all
from bot.config.settings import Config
from bot.timeutil import utc_now


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `slack link`."""
    group = sub.add_parser("slack", help="Slack: link contacts and staff to Slack users")
    actions = group.add_subparsers(required=True, metavar="ACTION")
    p = actions.add_parser(
        "link",
        parents=[common],
        help="link contacts and staff without a Slack id to the Slack user with their email",
    )
    p.set_defaults(command=cmd_link)


async def cmd_link(args: argparse.Namespace, config: Config) -> int:
    """Look up unlinked people by email in Slack and link the ones found."""
    _ = i18n.translator(config.default_language).gettext
    if config.slack_bot_token is None:
        print(_("Set SLACK_BOT_TOKEN to link people to Slack."), file=sys.stderr)
        return EXIT_USAGE
    from slack_sdk.errors import SlackApiError

    from bot.channels.slack.channel import web_client
    from bot.channels.slack.people import link_by_email

    storage, _surveys = await open_all(config)
    try:
        summary = await link_by_email(
            storage, web_client(config.slack_bot_token.reveal(), config.slack_api_url), utc_now
        )
    except SlackApiError as exc:
        print(
            _("Slack refused the lookup: {error}").format(error=exc.response.get("error")),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    finally:
        await storage.close()
    print(
        _("Linked {linked}, not found in Slack {not_found}, languages stored {languages}.").format(
            linked=summary.linked, not_found=summary.not_found, languages=summary.languages
        )
    )
    for conflict in summary.conflicts:
        print("  " + _("not linked: {reason}").format(reason=conflict), file=sys.stderr)
    return EXIT_REFUSED if summary.conflicts else 0
