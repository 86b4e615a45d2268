"""`klantstem contacts import|list` and `klantstem staff import|list`."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import i18n
from bot.cli.common import EXIT_REFUSED, open_all, print_rejected, read, read_input
from bot.cli.links import add_link_action
from bot.config.settings import Config
from bot.imports.csvfile import CsvRejected
from bot.people.contacts import (
    ImportSummary,
    import_contacts,
    import_staff,
    parse_contacts,
    parse_staff,
)
from bot.storage import Transaction
from bot.timeutil import utc_now


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `contacts` and `staff` with their `import` and `list` actions (and `contacts link`)."""
    for kind, importer, lister in (
        ("contacts", cmd_contacts_import, cmd_contacts_list),
        ("staff", cmd_staff_import, cmd_staff_list),
    ):
        group = sub.add_parser(kind, help=f"import or list {kind}")
        actions = group.add_subparsers(required=True, metavar="ACTION")
        imp = actions.add_parser("import", parents=[common], help=f"import {kind} from a CSV file")
        imp.add_argument("file", type=Path)
        imp.set_defaults(command=importer)
        lst = actions.add_parser("list", parents=[common], help=f"list {kind}")
        lst.set_defaults(command=lister)
        if kind == "contacts":
            add_link_action(actions, common)


Apply = Callable[[Transaction, Any, datetime], Awaitable[ImportSummary]]


async def _import(
    config: Config, path: Path, parse: Callable[[bytes], Any], apply: Apply, what: str
) -> int:
    tr = i18n.translator(config.default_language)
    _ = tr.gettext
    data = await read_input(path, tr)
    if data is None:
        return EXIT_REFUSED
    storage, _surveys = await open_all(config)
    try:
        records = parse(data)
        async with storage.transaction() as tx:
            summary = await apply(tx, records, utc_now())
            await tx.audit(
                "cli",
                f"{what}.import",
                {"file": path.name, "added": summary.added, "updated": summary.updated},
                utc_now(),
            )
    except CsvRejected as exc:
        print_rejected(path, exc, tr)
        return EXIT_REFUSED
    finally:
        await storage.close()
    print(
        _("Imported {path}: {added} added, {updated} updated, {unchanged} unchanged.").format(
            path=path, added=summary.added, updated=summary.updated, unchanged=summary.unchanged
        )
    )
    return 0


async def cmd_contacts_import(args: argparse.Namespace, config: Config) -> int:
    """Import contacts from a CSV file, all or nothing."""
    return await _import(config, args.file, parse_contacts, import_contacts, "contacts")


async def cmd_staff_import(args: argparse.Namespace, config: Config) -> int:
    """Import staff members from a CSV file, all or nothing."""
    return await _import(config, args.file, parse_staff, import_staff, "staff")


def _channels(telegram: str | None, slack: str | None) -> str:
    return ", ".join(f"{k}:{v}" for k, v in (("telegram", telegram), ("slack", slack)) if v) or "-"


async def cmd_contacts_list(args: argparse.Namespace, config: Config) -> int:
    """List contacts with their channels, contact person and attributes."""
    contacts = await read(config, lambda tx: tx.contacts())
    for c in contacts:
        attrs = " ".join(f"{k}={v}" for k, v in sorted(c.attributes.items()))
        print(
            f"{c.ref:<16}{c.name:<28}{c.language or '-':<4}"
            f"{_channels(c.telegram, c.slack):<28}{c.contact_person or '-':<14}{attrs}"
        )
    print(
        i18n.translator(config.default_language)
        .ngettext("{n} contact", "{n} contacts", len(contacts))
        .format(n=len(contacts))
    )
    return 0


async def cmd_staff_list(args: argparse.Namespace, config: Config) -> int:
    """List staff members with their channels and admin rights."""
    members = await read(config, lambda tx: tx.staff())
    for m in members:
        print(
            f"{m.ref:<16}{m.name:<28}{'admin' if m.is_admin else '':<7}"
            f"{_channels(m.telegram, m.slack)}"
        )
    print(
        i18n.translator(config.default_language)
        .ngettext("{n} staff member", "{n} staff members", len(members))
        .format(n=len(members))
    )
    return 0
