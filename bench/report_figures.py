"""Benchmark: every report figure over 1,000,000 answers in SQLite.

10 KTO waves x 10,000 respondents x 10 questions (CVS, six grades, a classification),
with segment and region attributes and 12,000 invitations per wave. Prints the time of
the full report model (totals, trend over all waves, breakdowns by attribute, answer
and NPS group, mirror, follow-up, certificate) next to a plain `SELECT COUNT(*)` over the
answers in the same run, and the process's peak memory. Aims: at most 1 s, under 200 MB.

    .venv/bin/python bench/report_figures.py [--keep PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config.settings import Config
from bot.reports import Selection, build_report
from bot.storage import open_storage
from flows import builtin_surveys

WAVES, RESPONDENTS, INVITED = 10, 10_000, 12_000
GRADES = ("service", "quality", "appearance", "reliability", "competence", "handling")
START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def answers(wave: str, rng: random.Random) -> Iterator[tuple[object, ...]]:
    for i in range(RESPONDENTS):
        rid = f"{wave}-{i:05d}"
        base = rng.gauss(7.2, 1.2)
        for q in ("satisfaction", "loyalty", "recommendation"):
            yield rid, q, "kto", wave, max(0, min(10, round(rng.gauss(base, 1)))), None
        for q in GRADES:
            yield rid, q, "kto", wave, max(1, min(10, round(rng.gauss(base, 1)))), None
        yield rid, "customer_since", "kto", wave, None, rng.choice(("lt1", "y1to3", "gt3"))


def fill(path: Path) -> None:
    rng = random.Random(6)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    with db:
        for w in range(WAVES):
            wave, opened = f"wave{w:02d}", START + timedelta(days=91 * w)
            db.execute(
                "INSERT INTO waves (id, survey_id, survey_version, label, opened_at)"
                " VALUES (?, 'kto', 1, ?, ?)",
                (wave, f"KTO {w + 1}", stamp(opened)),
            )
            db.executemany(
                "INSERT INTO invitations (id, wave_id, survey_id, status, due_at, created_at)"
                " VALUES (?, ?, 'kto', 'done', ?, ?)",
                ((f"{wave}-inv{i}", wave, stamp(opened), stamp(opened)) for i in range(INVITED)),
            )
            day = stamp(opened + timedelta(days=3)).replace("09:00:00", "00:00:00")
            db.executemany(
                "INSERT INTO responses (id, survey_id, survey_version, wave_id, anonymous,"
                " language, attributes, completed_at) VALUES (?, 'kto', 1, ?, 1, 'nl', ?, ?)",
                (
                    (
                        f"{wave}-{i:05d}",
                        wave,
                        f'{{"region":"{rng.choice("NESW")}","segment":"s{rng.randint(1, 5)}"}}',
                        day,
                    )
                    for i in range(RESPONDENTS)
                ),
            )
            db.executemany(
                "INSERT INTO answers (response_id, question_id, survey_id, wave_id, score, choice)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                answers(wave, rng),
            )
    db.execute("ANALYZE")
    db.close()


async def measure(url: str) -> None:
    config = Config.from_env({"KLANTSTEM_DATABASE_URL": url})
    storage = await open_storage(url)
    surveys = dict(builtin_surveys())
    now = START + timedelta(days=91 * WAVES)
    try:
        async with storage.transaction(write=False) as tx:
            started = time.perf_counter()
            row = await tx.conn.fetchone("SELECT COUNT(*) FROM answers")
            count_seconds = time.perf_counter() - started
        for run in ("first", "second"):
            async with storage.transaction(write=False) as tx:
                started = time.perf_counter()
                report = await build_report(tx, surveys, config, Selection(survey_id="kto"), now)
                seconds = time.perf_counter() - started
            print(f"full report figures ({run} run): {seconds:.3f} s")
        assert report.cvs is not None and report.cvs.figures is not None
        print(f"SELECT COUNT(*) FROM answers: {count_seconds:.3f} s ({row[0]:,} answers)")
        print(
            f"checks: {len(report.trend.labels)} waves in the trend, "
            f"{len(report.breakdowns)} breakdowns, CVS {report.cvs.figures.summary.mean:.2f} "
            f"from {report.cvs.n:,} respondents"
        )
    finally:
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    parser.add_argument("--fill", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        asyncio.run(_migrate(args.fill))
        fill(args.fill)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.db"
        if not path.exists():
            # A separate process fills the database, so the peak memory below is the report's.
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--fill", str(path)], check=True)
            print(f"filled in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(f"sqlite:///{path}"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the report process (max RSS): {peak:.0f} MB")


async def _migrate(path: Path) -> None:
    storage = await open_storage(f"sqlite:///{path}")
    await storage.close()


if __name__ == "__main__":
    main()
