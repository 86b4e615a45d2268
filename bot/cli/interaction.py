"""`klantstem interaction REF --touchpoint NAME`: a survey after an interaction (G-M6)."""

from __future__ import annotations

import argparse
import sys

from bot import i18n
from bot.cli.common import EXIT_REFUSED, open_all
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.waves.invitations import InteractionRefused, Invitations


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `interaction`."""
    p = sub.add_parser(
        "interaction", parents=[common], help="schedule a contact's survey after an interaction"
    )
    p.add_argument("ref", metavar="REF", help="the contact's ref")
    p.add_argument("--touchpoint", required=True, metavar="NAME", help="e.g. support, delivery")
    p.add_argument(
        "--survey", metavar="ID", help="survey to send (default: KLANTSTEM_INTERACTION_SURVEY)"
    )
    p.set_defaults(command=cmd_interaction)


async def cmd_interaction(args: argparse.Namespace, config: Config) -> int:
    """Schedule the survey, or say why not (the contact-frequency rule)."""
    lang = config.default_language
    _ = i18n.translator(lang).gettext
    storage, surveys = await open_all(config)
    invitations = Invitations(Service(storage, surveys, config))
    try:
        scheduled = await invitations.record_interaction(
            args.ref, args.touchpoint, args.survey, "cli"
        )
    except InteractionRefused as exc:
        print(_("Nothing was changed: {reason}").format(reason=exc), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await storage.close()
    survey = args.survey or config.interaction_survey
    if scheduled.due_at is None:
        assert scheduled.last_asked is not None
        print(
            _(
                "No survey for {ref}: they were asked on {date}, within the contact-frequency "
                "period of the {survey} survey."
            ).format(
                ref=args.ref,
                date=i18n.moment(scheduled.last_asked, lang, config.timezone),
                survey=survey,
            )
        )
        return 0
    print(
        _("The {survey} survey goes to {ref} at {date}.").format(
            survey=survey, ref=args.ref, date=i18n.moment(scheduled.due_at, lang, config.timezone)
        )
    )
    return 0
