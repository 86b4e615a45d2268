"""`klantstem forget REF` and `klantstem export REF`: a contact's right to be forgotten and
to see what is stored about them.

`forget` is the same operation as a person's own /forget in Telegram or `/klantstem
forget` in Slack (`bot.conversations.person.forget`), for every chat the contact is linked
to: their identities, open conversations, personal links and named answers (with the
flags on them) are deleted; anonymous answers and the aggregates stay, as nothing links
them to anyone. The contact record (the organisation's own customer list) stays, no
longer linked; remove it from the list you import to drop it too. `export` prints the
contact record and everything linked to it as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from bot import i18n
from bot.cli.common import EXIT_REFUSED, open_all
from bot.config.settings import Config
from bot.conversations import person
from bot.storage import Transaction
from bot.timeutil import utc_now


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `forget REF` and `export REF`."""
    forget = sub.add_parser(
        "forget",
        parents=[common],
        help="delete a contact's chat links and named answers (anonymous answers stay)",
    )
    forget.add_argument("ref", help="the contact's ref")
    forget.set_defaults(command=cmd_forget)
    export = sub.add_parser(
        "export", parents=[common], help="print everything stored about a contact as JSON"
    )
    export.add_argument("ref", help="the contact's ref")
    export.set_defaults(command=cmd_export)


async def _contact_id(tx: Transaction, ref: str, language: str) -> str | None:
    contact_id = await tx.contact_id_by_ref(ref)
    if contact_id is None:
        _ = i18n.translator(language).gettext
        print(_("There is no contact {ref}.").format(ref=ref), file=sys.stderr)
    return contact_id


async def cmd_forget(args: argparse.Namespace, config: Config) -> int:
    """Forget a contact: their identities, conversations, links and named answers."""
    _ = i18n.translator(config.default_language).gettext
    storage, _surveys = await open_all(config)
    try:
        forgotten = await person.forget(
            storage, person.ContactRef(args.ref), utc_now(), actor="cli"
        )
    finally:
        await storage.close()
    if forgotten is None:
        print(_("There is no contact {ref}.").format(ref=args.ref), file=sys.stderr)
        return EXIT_REFUSED
    print(
        _(
            "Forgot {ref}: {count} named responses, any anonymous answer not yet released"
            " and every chat link deleted. Released anonymous answers stay, as nothing"
            " links them to anyone."
        ).format(ref=args.ref, count=forgotten.named_responses)
    )
    return 0


async def cmd_export(args: argparse.Namespace, config: Config) -> int:
    """Print a contact's record and everything linked to it as JSON."""
    storage, _surveys = await open_all(config)
    try:
        async with storage.transaction() as tx:
            contact_id = await _contact_id(tx, args.ref, config.default_language)
            if contact_id is None:
                return EXIT_REFUSED
            contact = await tx.contact_by_id(contact_id)
            linked = await tx.person_data(contact_id)
            await tx.audit("cli", "contact.export", {"ref": args.ref}, utc_now())
    finally:
        await storage.close()
    assert contact is not None
    record: dict[str, Any] = dataclasses.asdict(contact)
    record["attributes"] = dict(contact.attributes)
    for internal in ("id", "telegram", "slack"):
        record.pop(internal)
    print(json.dumps({"contact": record, **linked}, ensure_ascii=False, indent=2))
    return 0
