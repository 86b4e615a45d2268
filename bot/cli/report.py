"""`klantstem report` (the research report in text, HTML, JSON, CSV or PDF),
`klantstem evidence add/list` (certificate criteria outside the data) and
`klantstem wave publish` (results back to a wave's people; added to `wave` by its module)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import i18n
from bot.cli.common import EXIT_REFUSED, EXIT_USAGE, open_all, read
from bot.config.settings import Config
from bot.reports import ReportError, Selection, build_report
from bot.reports.evidence import EvidenceError, add_evidence
from bot.reports.output import FORMATS, PdfUnavailable, render
from bot.reports.publish import publish_wave, published_text
from bot.timeutil import utc_now
from scoring.certificate import CRITERIA


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `report` and `evidence`."""
    p = sub.add_parser("report", parents=[common], help="the research report of a wave or period")
    p.add_argument("--survey", metavar="ID", help="survey id (default: the latest wave's)")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--wave", metavar="WAVE", help="wave id or label (default: the latest)")
    scope.add_argument("--period", metavar="PERIOD", help="a month (2026-11) or quarter (2026-Q4)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument("--out", metavar="PATH", type=Path, help="write to this file (default: stdout)")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="language of the report")
    p.set_defaults(command=cmd_report)

    p = sub.add_parser("evidence", help="certificate criteria an admin vouches for")
    actions = p.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="record evidence for a criterion")
    add.add_argument("criterion", choices=[c.id for c in CRITERIA], metavar="CRITERION")
    add.add_argument("--note", required=True, help="what shows the criterion is met")
    add.add_argument("--by", default="cli", help="who vouches (default: cli)")
    add.set_defaults(command=cmd_evidence_add)
    listing = actions.add_parser("list", parents=[common], help="show recorded evidence")
    listing.set_defaults(command=cmd_evidence_list)


async def cmd_report(args: argparse.Namespace, config: Config) -> int:
    """Build the report and write it in the asked format."""
    language = args.lang or config.default_language
    tr = i18n.translator(language)
    storage, surveys = await open_all(config)
    try:
        async with storage.transaction(write=False) as tx:
            report = await build_report(
                tx, surveys, config, Selection(args.survey, args.wave, args.period), utc_now()
            )
    except ReportError as exc:
        print(f"klantstem: {exc.text(tr)}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await storage.close()
    try:
        content = render(report, args.format, language, config.timezone)
    except PdfUnavailable:
        print(
            "klantstem: " + tr.gettext("PDF needs the pdf extra: pip install 'klantstem[pdf]'"),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.out is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return 0
    if isinstance(content, bytes):
        args.out.write_bytes(content)
    else:
        args.out.write_text(content, encoding="utf-8")
    print(tr.gettext("Report written to {path}").format(path=args.out.resolve()), file=sys.stderr)
    return 0


async def cmd_evidence_add(args: argparse.Namespace, config: Config) -> int:
    """Record that a criterion is met, with a note of what shows it."""
    tr = i18n.translator(config.default_language)
    storage, _surveys = await open_all(config)
    try:
        await add_evidence(storage, args.criterion, args.note, args.by, utc_now())
    except EvidenceError as exc:
        print(f"klantstem: {exc.text(tr)}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await storage.close()
    print(tr.gettext("Evidence recorded for {criterion}.").format(criterion=args.criterion))
    return 0


async def cmd_evidence_list(args: argparse.Namespace, config: Config) -> int:
    """List recorded evidence, oldest first."""
    tr = i18n.translator(config.default_language)
    rows = await read(config, lambda tx: tx.evidence())
    if not rows:
        print(tr.gettext("No evidence recorded yet. Add some with: klantstem evidence add"))
        return 0
    for e in rows:
        print(f"{e.recorded_at[:10]}  {e.criterion:<28}{e.recorded_by:<10}{e.note}")
    return 0


def add_publish(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `publish` to the actions of `klantstem wave`."""
    p = actions.add_parser(
        "publish", parents=[common], help="send a wave's aggregated results to its people"
    )
    p.add_argument("wave", metavar="WAVE", help="wave id (or its first characters) or label")
    p.set_defaults(command=cmd_wave_publish)


async def cmd_wave_publish(args: argparse.Namespace, config: Config) -> int:
    """Queue a wave's results for its invitees and staff; the running bot sends them."""
    tr = i18n.translator(config.default_language)
    storage, surveys = await open_all(config)
    try:
        done = await publish_wave(storage, surveys, config, args.wave, "cli", utc_now())
    except ReportError as exc:
        print(f"klantstem: {exc.text(tr)}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        await storage.close()
    print(published_text(done, config.default_language))
    print(tr.gettext("The running bot (klantstem run) sends them."), file=sys.stderr)
    return 0
