"""`klantstem contacts link REF --channel telegram`: a contact's personal deep link."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.cli.common import EXIT_REFUSED, EXIT_USAGE, open_all
from bot.config.settings import Config
from bot.storage.telegram_sql import new_link_token
from bot.timeutil import utc_now

CHANNELS = ("telegram",)


def add_link_action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `link` to the `contacts` actions."""
    p = actions.add_parser(
        "link", parents=[common], help="print a contact's personal link to the bot"
    )
    p.add_argument("ref", help="the contact's ref")
    p.add_argument("--channel", choices=CHANNELS, default="telegram")
    p.set_defaults(command=cmd_contacts_link)


async def cmd_contacts_link(args: argparse.Namespace, config: Config) -> int:
    """Make a new personal link for a contact and print it (the old one stops working)."""
    _ = i18n.translator(config.default_language).gettext
    if config.telegram_token is None:
        print(_("Set TELEGRAM_BOT_TOKEN first: the link names your bot."), file=sys.stderr)
        return EXIT_USAGE
    username = await _bot_username(config)
    if username is None:
        return EXIT_REFUSED
    storage, _surveys = await open_all(config)
    try:
        async with storage.transaction() as tx:
            contact_id = await tx.contact_id_by_ref(args.ref)
            if contact_id is None:
                print(
                    _(
                        "There is no contact {ref}; import it first (klantstem contacts import)."
                    ).format(ref=args.ref),
                    file=sys.stderr,
                )
                return EXIT_REFUSED
            token = new_link_token()
            await tx.replace_link_token(args.channel, contact_id, token, utc_now())
            await tx.audit(
                "cli", "contacts.link", {"ref": args.ref, "channel": args.channel}, utc_now()
            )
    finally:
        await storage.close()
    print(f"https://t.me/{username}?start={token}")
    print(
        _(
            "Send this link to {ref} only: the first Telegram account that opens it is "
            "linked to them. Any earlier link for {ref} no longer works."
        ).format(ref=args.ref),
        file=sys.stderr,
    )
    return 0


async def _bot_username(config: Config) -> str | None:
    """The bot's @username from the Bot API (getMe), or None after printing why not."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    assert config.telegram_token is not None
    _ = i18n.translator(config.default_language).gettext
    api = config.telegram_api_url
    try:
        async with Bot(config.telegram_token.reveal(), base_url=f"{api}/bot") as bot:
            return str(bot.username)
    except InvalidToken:
        print(
            _(
                "The Bot API at {url} refused TELEGRAM_BOT_TOKEN; copy it from BotFather again."
            ).format(url=api),
            file=sys.stderr,
        )
    except TelegramError as exc:
        print(
            _("Cannot reach the Telegram Bot API at {url}: {reason}").format(url=api, reason=exc),
            file=sys.stderr,
        )
    return None
