"""Benchmark: importing an earlier measurement of 100,000 respondents x 12 questions.

A KTO wave (the three CVS questions and the nine dimension grades) with segment and region
attributes, as `klantstem responses import` reads it: parse and check the whole file, then
store it into SQLite in one transaction with `executemany` (1,200,000 answer rows in the
table and its two histogram indexes). Prints respondents per second for each step and in
all. Aim: at least 50,000 respondents per second.

    .venv/bin/python bench/history_import.py [--respondents N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import i18n
from bot.imports.measurements import import_measurements
from bot.imports.measurements_file import ImportOptions, parse_measurements
from bot.storage import open_storage
from flows import Kind, builtin_surveys

AIM = 50_000


def measurement(respondents: int) -> bytes:
    """A file of one wave: 12 scale answers and two attributes per respondent."""
    rng = random.Random(11)
    kto = builtin_surveys()["kto"]
    scales = [q for q in kto.questions if q.kind is Kind.SCALE]
    lines = [",".join(["wave", "date", *(q.id for q in scales), "segment", "region"])]
    for _ in range(respondents):
        base = rng.gauss(7.0, 1.3)
        cells = [str(max(q.low, min(q.high, round(rng.gauss(base, 1))))) for q in scales]
        segment = rng.choice(("retail", "wholesale", "hospitality"))
        region = rng.choice(("north", "east", "south", "west"))
        lines.append(",".join(["KTO 2024", "2024-04-15", *cells, segment, region]))
    return ("\n".join(lines) + "\n").encode()


async def run(respondents: int) -> None:
    surveys = builtin_surveys()
    kto, tr = surveys["kto"], i18n.translator("en")
    others = {q.id for s in surveys.values() if s.id != "kto" for q in s.questions}
    data = measurement(respondents)
    with tempfile.TemporaryDirectory() as folder:
        storage = await open_storage(f"sqlite:///{folder}/history.db")
        try:
            start = time.perf_counter()
            waves = parse_measurements(
                data, kto, ImportOptions(), other_questions=others, today=date(2026, 1, 1), tr=tr
            )
            parsed = time.perf_counter()
            async with storage.transaction() as tx:
                await import_measurements(tx, kto, waves, datetime.now(UTC), min_group=5, tr=tr)
            stored = time.perf_counter()
            async with storage.transaction(write=False) as tx:
                row = await tx.conn.fetchone("SELECT COUNT(*) FROM answers")
            answers = int(row[0]) if row else 0
        finally:
            await storage.close()
    total = stored - start
    print(f"{respondents:,} respondents x 12 questions, {answers:,} answer rows")
    print(f"parse and check  {parsed - start:6.2f} s  {respondents / (parsed - start):>9,.0f} /s")
    print(f"store (SQLite)   {stored - parsed:6.2f} s  {respondents / (stored - parsed):>9,.0f} /s")
    rate = respondents / total
    verdict = "meets" if rate >= AIM else "misses"
    print(f"import in all    {total:6.2f} s  {rate:>9,.0f} /s ({verdict} the aim of {AIM:,}/s)")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    asyncio.run(run(parser.parse_args().respondents))


if __name__ == "__main__":
    main()
