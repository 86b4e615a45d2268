"""`klantstem responses import` (earlier measurements from CSV, all or nothing) and
`klantstem responses export` (a survey's anonymous answers in the same format)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import date
from pathlib import Path

from bot import i18n
from bot.cli.common import EXIT_REFUSED, EXIT_USAGE, open_all, print_rejected, read_input
from bot.config.settings import Config
from bot.imports.csvfile import CsvRejected
from bot.imports.measurements import Export, export_measurements, import_measurements, invited_csv
from bot.imports.measurements_file import (
    WAVES_FILE,
    ImportOptions,
    parse_invited,
    parse_measurements,
)
from bot.storage import IntegrityError
from bot.timeutil import utc_now
from flows import Survey, Translator

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `responses import` and `responses export`."""
    group = sub.add_parser("responses", help="import earlier measurements or export answers")
    actions = group.add_subparsers(required=True, metavar="ACTION")
    imp = actions.add_parser(
        "import", parents=[common], help="import earlier measurements from a CSV file"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--survey", required=True, metavar="ID", help="the survey answered")
    imp.add_argument("--wave", metavar="LABEL", help="wave label for the whole file")
    imp.add_argument("--date", metavar="YYYY-MM-DD", help="answer day for the whole file")
    imp.add_argument("--invited", metavar="N", help="how many people the wave asked")
    imp.set_defaults(command=cmd_import)
    exp = actions.add_parser("export", parents=[common], help="write anonymous answers as CSV")
    exp.add_argument("--survey", required=True, metavar="ID", help="the survey to export")
    exp.add_argument("--wave", metavar="WAVE", help="one wave (id, first characters or label)")
    exp.add_argument("--format", choices=("csv",), default="csv", help="output format")
    exp.add_argument("--out", type=Path, metavar="PATH", help="write here (default: stdout)")
    exp.set_defaults(command=cmd_export)


def _options(args: argparse.Namespace, tr: Translator) -> ImportOptions | str:
    """The command line's wave, day and invited count, or why they cannot be used."""
    day = None
    if args.date is not None:
        try:
            day = date.fromisoformat(args.date) if _DAY.match(args.date) else None
        except ValueError:
            day = None
        if day is None:
            return tr.gettext("--date {value!r} is not a date; write YYYY-MM-DD").format(
                value=args.date
            )
    invited = None
    if args.invited is not None:
        if not args.invited.isdigit() or int(args.invited) < 1:
            return tr.gettext("--invited {value!r} is not a whole number of people").format(
                value=args.invited
            )
        invited = int(args.invited)
    if args.wave is not None and not args.wave.strip():
        return tr.gettext("--wave needs a label")
    wave = args.wave.strip() if args.wave else None
    return ImportOptions(wave=wave, day=day, invited=invited)


def _survey(surveys: dict[str, Survey], survey_id: str, tr: Translator) -> Survey | None:
    survey = surveys.get(survey_id)
    if survey is None:
        message = tr.gettext("Unknown survey {survey!r}; choose one of: {surveys}.")
        print(message.format(survey=survey_id, surveys=", ".join(surveys)), file=sys.stderr)
    return survey


async def cmd_import(args: argparse.Namespace, config: Config) -> int:
    """Import earlier measurements of a survey from a CSV file, all or nothing; a waves.csv
    beside it gives each wave's invited count."""
    tr = i18n.translator(config.default_language)
    options = _options(args, tr)
    if isinstance(options, str):
        print("klantstem: " + options, file=sys.stderr)
        return EXIT_USAGE
    path: Path = args.file
    data = await read_input(path, tr)
    if data is None:
        return EXIT_REFUSED
    beside = await asyncio.to_thread(_waves_file_beside, path)
    if beside is not None:
        invited = await read_input(beside, tr)
        if invited is None:
            return EXIT_REFUSED
        try:
            by_wave = parse_invited(invited, args.survey, tr)
        except CsvRejected as exc:
            print_rejected(beside, exc, tr)
            return EXIT_REFUSED
        options = ImportOptions(options.wave, options.day, options.invited, by_wave)
    storage, surveys = await open_all(config)
    try:
        survey = _survey(surveys, args.survey, tr)
        if survey is None:
            return EXIT_REFUSED
        others = {q.id for s in surveys.values() if s.id != survey.id for q in s.questions}
        now = utc_now()
        waves = await asyncio.to_thread(
            parse_measurements,
            data,
            survey,
            options,
            other_questions=others,
            today=now.date(),
            tr=tr,
        )
        async with storage.transaction() as tx:
            outcomes = await import_measurements(
                tx, survey, waves, now, min_group=config.min_group_size, tr=tr
            )
            detail = {"file": path.name, "survey": survey.id}
            await tx.audit(
                "cli",
                "responses.import",
                {**detail, "waves": {o.label: o.change for o in outcomes}},
                now,
            )
    except CsvRejected as exc:
        print_rejected(path, exc, tr)
        return EXIT_REFUSED
    except IntegrityError:
        message = tr.gettext(
            "{path} was not imported: another import of the same wave ran at the same time."
            " Run it again to see what is stored."
        )
        print(message.format(path=path), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await storage.close()
    for o in outcomes:
        if o.change == "added":
            line = tr.ngettext(
                "{label}: {n} respondent imported",
                "{label}: {n} respondents imported",
                o.respondents,
            )
        elif o.change == "invited":
            line = tr.gettext("{label}: imported before; its invited count is now recorded")
        else:
            line = tr.gettext("{label}: imported before; nothing changed")
        print(line.format(label=o.label, n=o.respondents))
    return 0


async def cmd_export(args: argparse.Namespace, config: Config) -> int:
    """Write the anonymous answers of a survey's waves as CSV (and waves.csv beside a file)."""
    tr = i18n.translator(config.default_language)
    if args.out is not None and args.out.name == WAVES_FILE:
        message = tr.gettext("{file} is where invited counts go; choose another name")
        print("klantstem: " + message.format(file=WAVES_FILE), file=sys.stderr)
        return EXIT_USAGE
    storage, surveys = await open_all(config)
    try:
        survey = _survey(surveys, args.survey, tr)
        if survey is None:
            return EXIT_REFUSED
        async with storage.transaction(write=False) as tx:
            wave_id = None
            if args.wave:
                wave = await tx.report_wave(args.wave)
                if wave is None or wave.survey_id != survey.id:
                    message = tr.gettext("Survey {survey!r} has no wave {wave!r}.")
                    print(message.format(survey=survey.id, wave=args.wave), file=sys.stderr)
                    return EXIT_REFUSED
                wave_id = wave.id
            export = await export_measurements(tx, survey, wave_id)
    finally:
        await storage.close()
    if args.out is None:
        sys.stdout.write(export.csv)
        return 0
    out: Path = args.out
    written, beside = await asyncio.to_thread(_write_export, out, survey.id, export)
    message = tr.ngettext(
        "{n} respondent written to {path}", "{n} respondents written to {path}", export.respondents
    )
    print(message.format(n=export.respondents, path=written), file=sys.stderr)
    if beside is not None:
        message = tr.gettext("Invited counts written to {path}")
        print(message.format(path=beside), file=sys.stderr)
    return 0


def _waves_file_beside(path: Path) -> Path | None:
    """The waves.csv in the folder of an import file, if there is one."""
    beside = path.parent / WAVES_FILE
    return beside if beside.is_file() and beside.resolve() != path.resolve() else None


def _write_export(out: Path, survey_id: str, export: Export) -> tuple[Path, Path | None]:
    """Write an export, and its invited counts to waves.csv beside it (keeping the rows
    of other surveys there); the absolute paths written."""
    out.write_text(export.csv, encoding="utf-8")
    if not export.invited:
        return out.resolve(), None
    beside = out.parent / WAVES_FILE
    existing = beside.read_bytes() if beside.is_file() else None
    beside.write_text(invited_csv(survey_id, export.invited, existing), encoding="utf-8")
    return out.resolve(), beside.resolve()
