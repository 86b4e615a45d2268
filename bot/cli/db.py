"""`klantstem db migrate` and `klantstem db copy`: upgrade a database, or move all data."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.cli.common import EXIT_REFUSED
from bot.config.settings import Config
from bot.storage import open_driver, open_storage
from bot.storage.copy import CopyRefused, copy_database
from bot.storage.migrate import current_version, migrate


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `db migrate` and `db copy`."""
    group = sub.add_parser("db", help="upgrade the database or copy it to another one")
    actions = group.add_subparsers(required=True, metavar="ACTION")
    p = actions.add_parser(
        "migrate", parents=[common], help="bring the database schema up to this version"
    )
    p.set_defaults(command=cmd_migrate)
    p = actions.add_parser(
        "copy",
        help="copy all data to another (empty) database, e.g. from SQLite to PostgreSQL",
        description="Copies every table in one transaction on the target; both databases "
        "are first migrated to this version.",
    )
    p.add_argument("--from", dest="source", required=True, metavar="URL", help="copy from here")
    p.add_argument("--to", dest="target", required=True, metavar="URL", help="copy to here")
    p.add_argument(
        "--replace", action="store_true", help="delete the data the target already holds"
    )
    p.set_defaults(command=cmd_copy)


async def cmd_migrate(args: argparse.Namespace, config: Config) -> int:
    """Apply pending migrations and say which version the database is at."""
    _ = i18n.translator(config.default_language).gettext
    driver = await open_driver(config.database_url)
    try:
        applied = await migrate(driver)
        version = await current_version(driver)
    finally:
        await driver.close()
    for name in applied:
        print(_("applied {migration}").format(migration=name))
    print(
        _("{url} is at schema version {version}.").format(url=driver.url, version=version)
        if applied
        else _("{url} is already at schema version {version}.").format(
            url=driver.url, version=version
        )
    )
    return 0


async def cmd_copy(args: argparse.Namespace, config: Config) -> int:
    """Copy every table from `--from` to `--to`."""
    _ = i18n.translator(config.default_language).gettext
    source = await open_storage(args.source)
    try:
        target = await open_storage(args.target)
        try:
            counts = await copy_database(source, target, replace=args.replace)
        finally:
            await target.close()
    except CopyRefused as exc:
        print(_("Nothing copied: {reason}").format(reason=exc), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await source.close()
    for table, rows in counts.items():
        print(f"{table:<24}{rows:>10}")
    print(
        _("Copied {rows} rows from {source} to {target}.").format(
            rows=sum(counts.values()), source=source.url, target=target.url
        )
    )
    return 0
