"""`klantstem try` (a survey in the terminal) and `klantstem stats`."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Mapping
from functools import partial

from bot import i18n
from bot.channels.console import ConsoleChannel
from bot.cli.common import EXIT_INCOMPLETE, EXIT_REFUSED, open_all, where
from bot.config.settings import Config
from bot.conversations.service import Inbound, Service
from bot.reports import labels
from bot.storage.records import SurveyCount
from bot.storage.report_sql import Slice
from flows import CVS_METRICS, Answer, Audience, Event, EventKind, Status, Survey
from scoring.cvs import respondent_cvs, wave_cvs
from scoring.suppression import guard


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `try` and `stats`."""
    p = sub.add_parser("try", parents=[common], help="take a survey in this terminal")
    p.add_argument("--survey", default="cvs", metavar="ID", help="survey id (default: cvs)")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="language of the questions")
    p.set_defaults(command=cmd_try)
    p = sub.add_parser("stats", parents=[common], help="responses per survey and the CVS")
    p.set_defaults(command=cmd_stats)


async def cmd_try(args: argparse.Namespace, config: Config) -> int:
    """Take a survey in the terminal, reading one answer per line from standard input."""
    _ = i18n.translator(args.lang or config.default_language).gettext
    storage, surveys = await open_all(config)
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
        status = await _open_or_resume(service, user, args)
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
                    where(storage),
                    config.min_group_size,
                )
        return 0
    finally:
        await storage.close()


async def _open_or_resume(service: Service, user: str, args: argparse.Namespace) -> Status:
    unfinished = await service.open_session("console", user)
    if unfinished and unfinished.survey_id == args.survey:
        tr = i18n.translator(args.lang or unfinished.session.language)
        print(tr.gettext("Going on with your unfinished survey."))
        kind, text = (EventKind.LANGUAGE, args.lang) if args.lang else (EventKind.REPEAT, "")
        handled = await service.handle(Inbound("console", user, user, Event(kind, text)))
        return handled.status or Status.ACTIVE
    handled = await service.begin("console", user, user, args.survey, language=args.lang)
    return handled.status or Status.ACTIVE


def _print_result(
    survey: Survey,
    answers: Mapping[str, Answer],
    anonymous: bool,
    language: str,
    location: str,
    min_group: int,
) -> None:
    _ = i18n.translator(language).gettext
    by_metric = {q.metric: answers.get(q.id) for q in survey.questions if q.metric}
    scores = [by_metric.get(m) for m in CVS_METRICS]
    if len(scores) == 3 and all(isinstance(s, int) for s in scores):
        s, lo, r = (int(x) for x in scores if isinstance(x, int))
        print(
            _("Your Customer Value Score (CVS): {cvs} (the mean of {a}, {b} and {c}).").format(
                cvs=i18n.score(respondent_cvs(s, lo, r), language), a=s, b=lo, c=r
            )
        )
    if anonymous:
        print(
            _(
                "Kept as an anonymous answer in {where}. It joins the results, with no link"
                " to you, when at least {min} anonymous answers can be released together."
            ).format(where=location, min=min_group)
        )
    else:
        print(_("Saved as a named response in {where}.").format(where=location))


def cvs_question_ids(survey: Survey) -> list[str] | None:
    """The ids of a survey's satisfaction, loyalty and recommendation questions, if it has all."""
    ids = [q.id for m in CVS_METRICS for q in survey.questions if q.metric is m]
    return ids if len(ids) == len(CVS_METRICS) else None


async def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    """Print responses per survey, the anonymous answers waiting for release or withheld,
    and the CVS of each customer survey that asks it."""
    lang = config.default_language
    tr = i18n.translator(lang)
    _ = tr.gettext
    k = config.min_group_size
    storage, surveys = await open_all(config)
    try:
        async with storage.transaction(write=False) as tx:
            counts = {c.survey_id: c for c in await tx.response_counts()}
            held, withheld = await tx.held_counts(), await tx.withheld_counts()
            print(_("Database: {where}").format(where=where(storage)))
            if not counts and not held and not withheld:
                print(_("No responses yet. Try a survey with: klantstem try --survey cvs"))
                return 0
            header = [
                _("survey"),
                _("responses"),
                _("named"),
                _("anonymous"),
                _("waiting"),
                _("withheld"),
            ]
            table = [header]
            for survey_id in sorted({*counts, *held, *withheld}):
                c = counts.get(survey_id) or SurveyCount(survey_id, 0, 0)
                figures = (
                    c.total,
                    c.named,
                    c.anonymous,
                    held.get(survey_id, 0),
                    withheld.get(survey_id, 0),
                )
                table.append([survey_id, *map(str, figures)])
            # Columns as wide as their longest cell: translated headers never run together.
            widths = [max(len(row[i]) for row in table) for i in range(len(header))]
            for row in table:
                first, *rest = zip(row, widths, strict=True)
                cells = [first[0].ljust(first[1]), *(cell.rjust(w) for cell, w in rest)]
                print("  ".join(cells))
            for survey_id in sorted(held):
                print(f"{survey_id}: {labels.held_note(held[survey_id], k, tr)}")
            for survey_id in sorted(withheld):
                print(f"{survey_id}: {labels.withheld_note(withheld[survey_id], k, tr)}")
            for c in counts.values():
                survey = surveys.get(c.survey_id)
                ids = cvs_question_ids(survey) if survey else None
                if survey is None or ids is None or survey.audience is not Audience.CUSTOMER:
                    continue
                histogram = await tx.sum_histogram(survey.id, ids)
                hidden = await tx.sum_histograms(Slice(survey.id).anonymous(), ids)
                n, anonymous = sum(histogram.values()), sum(hidden.values())
                group = guard(survey.id, n, partial(wave_cvs, histogram), k, anonymous=anonymous)
                if group.figures is not None and group.figures.mean is not None:
                    print(
                        _("CVS ({survey}): {cvs} from {n} respondents.").format(
                            survey=survey.id, cvs=i18n.score(group.figures.mean, lang), n=n
                        )
                    )
                elif n < k:
                    print(
                        tr.ngettext(
                            "CVS ({survey}): {n} respondent; figures are shown from {min} "
                            "respondents on.",
                            "CVS ({survey}): {n} respondents; figures are shown from {min} "
                            "respondents on.",
                            n,
                        ).format(survey=survey.id, n=n, min=k)
                    )
                else:
                    print(
                        tr.ngettext(
                            "CVS ({survey}): {n} respondents, {anonymous} of them anonymous; "
                            "figures are shown when none or at least {min} are anonymous.",
                            "CVS ({survey}): {n} respondents, {anonymous} of them anonymous; "
                            "figures are shown when none or at least {min} are anonymous.",
                            anonymous,
                        ).format(survey=survey.id, n=n, anonymous=anonymous, min=k)
                    )
        return 0
    finally:
        await storage.close()
