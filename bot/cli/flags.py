"""`klantstem flags [--open|--overdue|--all|--actions]`; `klantstem flag show|done|note|forward`."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.cli.common import EXIT_REFUSED, open_all
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.flags.action_plan import ActionPlan
from bot.flags.deadlines import FollowUp
from bot.flags.flags import FlagError, Flags
from bot.flags.listing import flag_line, history_lines, item_line
from bot.flags.notices import alert
from bot.flags.staff_reach import StaffReach


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `flags` (list) and `flag` (act on one)."""
    p = sub.add_parser("flags", parents=[common], help="list flags and action items")
    which = p.add_mutually_exclusive_group()
    for name, help_text in (
        ("open", "flags not closed (default)"),
        ("overdue", "flags that missed the forward or follow-up deadline"),
        ("all", "every flag"),
        ("actions", "action items from mirror-vs-KTO gaps"),
    ):
        which.add_argument(
            f"--{name}", dest="which", action="store_const", const=name, help=help_text
        )
    p.set_defaults(command=cmd_flags, which="open")
    flag = sub.add_parser("flag", help="show, close or forward one flag")
    actions = flag.add_subparsers(required=True, metavar="ACTION")
    for name, help_text, command, with_note in (
        ("show", "details and full history", cmd_show, False),
        ("done", "close a flag or action item with what was done", cmd_done, True),
        ("note", "add a note to a flag's history", cmd_note, True),
        ("forward", "forward to the contact person (sent by the running bot)", cmd_forward, False),
    ):
        a = actions.add_parser(name, parents=[common], help=help_text)
        a.add_argument("ref", metavar="REF", help="the flag's reference (first characters)")
        if with_note:
            a.add_argument("--note", required=True, help="what was done")
        a.add_argument("--by", metavar="STAFF", help="staff ref of who did it (default: cli)")
        a.set_defaults(command=command)


async def _service(config: Config) -> Service:
    storage, surveys = await open_all(config)
    return Service(storage, surveys, config)


def _actor(args: argparse.Namespace) -> str:
    return f"staff:{args.by}" if getattr(args, "by", None) else "cli"


def _refuse(config: Config, reason: object) -> int:
    _ = i18n.translator(config.default_language).gettext
    print(_("Nothing was changed: {reason}").format(reason=reason), file=sys.stderr)
    return EXIT_REFUSED


async def cmd_flags(args: argparse.Namespace, config: Config) -> int:
    """List flags (or action items) with status, owner and missed deadlines."""
    lang = config.default_language
    _ = i18n.translator(lang).gettext
    service = await _service(config)
    try:
        now = service.clock()
        flags = [] if args.which == "actions" else await Flags(service).listing(args.which)
        async with service.storage.transaction(write=False) as tx:
            if args.which == "actions":
                owners = {m.id: m.name for m in await tx.staff()}
                items = await tx.action_items()
                lines = [
                    item_line(i, owners.get(i.owner_staff_id, "-"), lang, config.timezone, now)
                    for i in items
                ]
            else:
                lines = [await flag_line(tx, f, service, lang, now) for f in flags]
    finally:
        await service.storage.close()
    print("\n".join(lines) if lines else _("Nothing to show."))
    return 0


async def cmd_show(args: argparse.Namespace, config: Config) -> int:
    """A flag as the staff alert shows it, then its history."""
    lang = config.default_language
    service = await _service(config)
    flags = Flags(service)
    try:
        flag = await flags.find(args.ref)
        async with service.storage.transaction(write=False) as tx:
            view = await FollowUp(service, flags, StaffReach(service)).view(tx, flag, lang)
            events = await tx.flag_events(flag.id)
    except FlagError as exc:
        return _refuse(config, exc)
    finally:
        await service.storage.close()
    print(alert(view, lang, config.timezone).text)
    print()
    print("\n".join(history_lines(events, lang, config.timezone)))
    return 0


async def cmd_done(args: argparse.Namespace, config: Config) -> int:
    """Close a flag (or an action item) with what was done."""
    _ = i18n.translator(config.default_language).gettext
    service = await _service(config)
    flags = Flags(service)
    try:
        try:
            flag = await flags.find(args.ref)
        except FlagError:
            plan = ActionPlan(service, StaffReach(service))
            item = await plan.find(args.ref)
            await plan.close(item.id, _actor(args), args.note)
            print(_("Action item {ref} is closed.").format(ref=item.ref))
            return 0
        await flags.close(flag.id, _actor(args), args.note)
    except FlagError as exc:
        return _refuse(config, exc)
    finally:
        await service.storage.close()
    print(_("Flag {ref} is closed.").format(ref=flag.ref))
    return 0


async def cmd_note(args: argparse.Namespace, config: Config) -> int:
    """Add a note to a flag's history."""
    _ = i18n.translator(config.default_language).gettext
    service = await _service(config)
    flags = Flags(service)
    try:
        flag = await flags.find(args.ref)
        await flags.add_note(flag.id, _actor(args), args.note)
    except FlagError as exc:
        return _refuse(config, exc)
    finally:
        await service.storage.close()
    print(_("Note added to flag {ref}.").format(ref=flag.ref))
    return 0


async def cmd_forward(args: argparse.Namespace, config: Config) -> int:
    """Queue the forward of a flag to the contact person."""
    _ = i18n.translator(config.default_language).gettext
    service = await _service(config)
    flags = Flags(service)
    try:
        flag = await flags.find(args.ref)
        person = await flags.request_forward(flag.id, _actor(args))
    except FlagError as exc:
        return _refuse(config, exc)
    finally:
        await service.storage.close()
    print(
        _("Flag {ref} goes to {name} with the running bot's next sweep.").format(
            ref=flag.ref, name=person.name
        )
    )
    return 0
