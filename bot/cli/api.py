"""`klantstem api-token create|list|revoke`: bearer tokens for the HTTP API."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.api.tokens import SCOPES, create_token, revoke_token
from bot.cli.common import EXIT_REFUSED, open_all, read
from bot.config.settings import Config
from bot.timeutil import utc_now


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `api-token` with `create`, `list` and `revoke`."""
    group = sub.add_parser("api-token", help="make, list or revoke HTTP API tokens")
    actions = group.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", parents=[common], help="make a token (shown once; only its hash is kept)"
    )
    create.add_argument("--scope", choices=SCOPES, required=True, help="write includes read")
    create.add_argument("--name", default="api", help="who uses it, e.g. helpdesk (audit log)")
    create.set_defaults(command=cmd_create)
    listing = actions.add_parser("list", parents=[common], help="list tokens (never the secrets)")
    listing.set_defaults(command=cmd_list)
    revoke = actions.add_parser("revoke", parents=[common], help="revoke a token by its id")
    revoke.add_argument("id")
    revoke.set_defaults(command=cmd_revoke)


async def cmd_create(args: argparse.Namespace, config: Config) -> int:
    """Make a token and print it once."""
    _ = i18n.translator(config.default_language).gettext
    storage, _surveys = await open_all(config)
    try:
        token = await create_token(storage, args.name, args.scope, utc_now())
    finally:
        await storage.close()
    print(token.secret)
    print(
        _(
            "Token {id} ({scope}) made. This is the only time it is shown: "
            "store it now. Use it as: Authorization: Bearer <token>"
        ).format(id=token.id, scope=token.scope),
        file=sys.stderr,
    )
    return 0


async def cmd_list(args: argparse.Namespace, config: Config) -> int:
    """List tokens with their scope, creation, last use and revocation."""
    _ = i18n.translator(config.default_language).gettext
    tokens = await read(config, lambda tx: tx.api_tokens())
    for t in tokens:
        state = _("revoked {at}").format(at=t.revoked_at) if t.revoked_at else _("active")
        used = t.last_used_at or _("never used")
        print(f"{t.id:<14}{t.scope:<7}{t.name:<20}{t.created_at:<22}{used:<22}{state}")
    print(
        i18n.translator(config.default_language)
        .ngettext("{n} token", "{n} tokens", len(tokens))
        .format(n=len(tokens))
    )
    return 0


async def cmd_revoke(args: argparse.Namespace, config: Config) -> int:
    """Revoke a token: requests with it get 401 from now on."""
    _ = i18n.translator(config.default_language).gettext
    storage, _surveys = await open_all(config)
    try:
        done = await revoke_token(storage, args.id, utc_now())
    finally:
        await storage.close()
    if not done:
        print(_("No active token has the id {id}.").format(id=args.id), file=sys.stderr)
        return EXIT_REFUSED
    print(_("Token {id} revoked.").format(id=args.id))
    return 0
