"""The `klantstem` command: try a survey in the terminal, see figures, manage contacts and staff.

Exit codes: 0 done; 1 refused input (a rejected file, an unknown survey); 2 bad usage or
configuration; 3 input ended before the survey was complete (the answers so far are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bot import i18n
from bot.channels.console import ConsoleChannel
from bot.config import Config, ConfigError
from bot.csvfile import CsvRejected
from bot.people import import_contacts, import_staff, parse_contacts, parse_staff
from bot.service import Inbound, Service
from bot.storage import SchemaTooNew, Storage, open_storage, sqlite_path
from bot.surveys import load_surveys
from bot.timeutil import utc_now
from flows import CVS_METRICS, Audience, Event, EventKind, Status, Survey, SurveyError
from scoring.cvs import respondent_cvs, wave_cvs
from scoring.suppression import guard

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3

Command = Callable[[argparse.Namespace, Config], Coroutine[Any, Any, int]]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `klantstem` console script."""
    logging.basicConfig(
        level=os.environ.get("KLANTSTEM_LOG_LEVEL", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = Config.from_env(os.environ)
        if args.db:
            config = Config(**{**config.__dict__, "database_url": args.db})
    except ConfigError as exc:
        print(f"klantstem: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    command: Command = args.command
    try:
        return asyncio.run(command(args, config))
    except (SurveyError, SchemaTooNew) as exc:
        print(f"klantstem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nklantstem: interrupted; answers so far are kept.", file=sys.stderr)
        return EXIT_INCOMPLETE


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: KLANTSTEM_DATABASE_URL or sqlite:///klantstem.db)",
    )
    parser = argparse.ArgumentParser(prog="klantstem", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("try", parents=[common], help="take a survey in this terminal")
    p.add_argument("--survey", default="cvs", metavar="ID", help="survey id (default: cvs)")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="language of the questions")
    p.set_defaults(command=cmd_try)

    p = sub.add_parser("stats", parents=[common], help="responses per survey and the CVS")
    p.set_defaults(command=cmd_stats)

    for kind, handler, lister in (
        ("contacts", cmd_contacts_import, cmd_contacts_list),
        ("staff", cmd_staff_import, cmd_staff_list),
    ):
        group = sub.add_parser(kind, help=f"import or list {kind}")
        actions = group.add_subparsers(required=True, metavar="ACTION")
        imp = actions.add_parser("import", parents=[common], help=f"import {kind} from a CSV file")
        imp.add_argument("file", type=Path)
        imp.set_defaults(command=handler)
        lst = actions.add_parser("list", parents=[common], help=f"list {kind}")
        lst.set_defaults(command=lister)
    return parser


async def _open(config: Config) -> tuple[Storage, dict[str, Survey]]:
    surveys = load_surveys(config.survey_files, config.default_language)
    return await open_storage(config.database_url), surveys


def _where(storage: Storage) -> str:
    path = sqlite_path(storage.url)
    return str(path.resolve()) if path else storage.url


async def cmd_try(args: argparse.Namespace, config: Config) -> int:
    """Take a survey in the terminal, reading one answer per line from standard input."""
    _ = i18n.translator(args.lang or config.default_language).gettext
    storage, surveys = await _open(config)
    try:
        if args.survey not in surveys:
            print(
                _("Unknown survey {survey!r}; choose one of: {surveys}.").format(
                    survey=args.survey, surveys=", ".join(surveys)
                ),
                file=sys.stderr,
            )
            return EXIT_REFUSED
        console = ConsoleChannel()
        service = Service(storage, surveys, config)
        service.attach(console)
        user = getpass.getuser()
        status = await _open_or_resume(service, console, user, args)
        while status is Status.ACTIVE:
            event = await console.read_event()
            if event is None:
                print(
                    _(
                        "Input ended before the survey was complete. Your answers so far are "
                        "kept: run the same command again to go on."
                    ),
                    file=sys.stderr,
                )
                return EXIT_INCOMPLETE
            handled = await service.handle(Inbound("console", user, user, event))
            status = handled.status or Status.ACTIVE
            if handled.completion:
                _print_result(
                    handled.completion.survey,
                    handled.completion.answers,
                    handled.completion.anonymous,
                    handled.language,
                    _where(storage),
                )
        return 0
    finally:
        await storage.close()


async def _open_or_resume(
    service: Service, console: ConsoleChannel, user: str, args: argparse.Namespace
) -> Status:
    unfinished = await service.open_session("console", user)
    if unfinished and unfinished.survey_id == args.survey:
        tr = i18n.translator(args.lang or unfinished.session.language)
        print(tr.gettext("Going on with your unfinished survey."))
        kind, text = (EventKind.LANGUAGE, args.lang) if args.lang else (EventKind.REPEAT, "")
        handled = await service.handle(Inbound("console", user, user, Event(kind, text)))
        return handled.status or Status.ACTIVE
    handled = await service.begin("console", user, user, args.survey, language=args.lang)
    return handled.status or Status.ACTIVE


def _print_result(survey: Survey, answers: Any, anonymous: bool, language: str, where: str) -> None:
    _ = i18n.translator(language).gettext
    by_metric = {q.metric: answers.get(q.id) for q in survey.questions if q.metric}
    scores = [by_metric.get(m) for m in CVS_METRICS]
    if all(isinstance(s, int) for s in scores):
        s, lo, r = (int(x) for x in scores)  # type: ignore[arg-type]
        print(
            _("Your Customer Value Score (CVS): {cvs} (the mean of {a}, {b} and {c}).").format(
                cvs=i18n.score(respondent_cvs(s, lo, r), language), a=s, b=lo, c=r
            )
        )
    if anonymous:
        print(_("Saved as an anonymous response in {where}.").format(where=where))
    else:
        print(_("Saved as a named response in {where}.").format(where=where))


async def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    """Print responses per survey and the CVS of each customer survey that asks it."""
    lang = config.default_language
    _ = i18n.translator(lang).gettext
    storage, surveys = await _open(config)
    try:
        async with storage.transaction(write=False) as tx:
            counts = await tx.response_counts()
            print(_("Database: {where}").format(where=_where(storage)))
            if not counts:
                print(_("No responses yet. Try a survey with: klantstem try --survey cvs"))
                return 0
            header = (_("survey"), _("responses"), _("named"), _("anonymous"))
            print(f"{header[0]:<12}{header[1]:>11}{header[2]:>9}{header[3]:>11}")
            for c in counts:
                print(f"{c.survey_id:<12}{c.total:>11}{c.named:>9}{c.anonymous:>11}")
            for c in counts:
                survey = surveys.get(c.survey_id)
                if survey is None or survey.audience is not Audience.CUSTOMER:
                    continue
                ids = [q.id for m in CVS_METRICS for q in survey.questions if q.metric is m]
                if len(ids) != len(CVS_METRICS):
                    continue
                histogram = await tx.sum_histogram(survey.id, ids)
                n = sum(histogram.values())
                group = guard(survey.id, n, partial(wave_cvs, histogram), config.min_group_size)
                if group.figures is None or group.figures.mean is None:
                    print(
                        _(
                            "CVS ({survey}): {n} respondents; figures are shown from {min} "
                            "respondents on."
                        ).format(survey=survey.id, n=n, min=config.min_group_size)
                    )
                else:
                    print(
                        _("CVS ({survey}): {cvs} from {n} respondents.").format(
                            survey=survey.id, cvs=i18n.score(group.figures.mean, lang), n=n
                        )
                    )
        return 0
    finally:
        await storage.close()


async def _import(config: Config, path: Path, parse: Any, apply: Any, what: str) -> int:
    _ = i18n.translator(config.default_language).gettext
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    storage, _surveys = await _open(config)
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
        print(
            _("{path} was not imported; nothing was changed. Fix these lines:").format(path=path),
            file=sys.stderr,
        )
        for line, reason in exc.problems:
            print(f"  line {line}: {reason}", file=sys.stderr)
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


async def cmd_contacts_list(args: argparse.Namespace, config: Config) -> int:
    """List contacts with their channels, contact person and attributes."""
    storage, _surveys = await _open(config)
    try:
        async with storage.transaction(write=False) as tx:
            contacts = await tx.contacts()
    finally:
        await storage.close()
    for c in contacts:
        channels = (
            ", ".join(f"{k}:{v}" for k, v in (("telegram", c.telegram), ("slack", c.slack)) if v)
            or "-"
        )
        attrs = " ".join(f"{k}={v}" for k, v in sorted(c.attributes.items()))
        print(
            f"{c.ref:<16}{c.name:<28}{c.language or '-':<4}{channels:<28}"
            f"{c.contact_person or '-':<14}{attrs}"
        )
    print(
        i18n.translator(config.default_language)
        .ngettext("{n} contact", "{n} contacts", len(contacts))
        .format(n=len(contacts))
    )
    return 0


async def cmd_staff_list(args: argparse.Namespace, config: Config) -> int:
    """List staff members with their channels and admin rights."""
    storage, _surveys = await _open(config)
    try:
        async with storage.transaction(write=False) as tx:
            members = await tx.staff()
    finally:
        await storage.close()
    for m in members:
        channels = (
            ", ".join(f"{k}:{v}" for k, v in (("telegram", m.telegram), ("slack", m.slack)) if v)
            or "-"
        )
        print(f"{m.ref:<16}{m.name:<28}{'admin' if m.is_admin else '':<7}{channels}")
    print(
        i18n.translator(config.default_language)
        .ngettext("{n} staff member", "{n} staff members", len(members))
        .format(n=len(members))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
