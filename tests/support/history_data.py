"""Building earlier-measurement files and importing them the way the CLI does."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot import i18n
from bot.config.settings import Config
from bot.imports.measurements import WaveImport, import_measurements
from bot.imports.measurements_file import ImportOptions, parse_measurements
from bot.reports import Selection, build_report
from bot.reports.render_json import report_dict
from bot.storage import Storage
from flows import builtin_surveys
from tests.support.report_data import NOW

SURVEYS = builtin_surveys()
TODAY = date(2026, 11, 23)
EN = i18n.translator("en")

# Three yearly CVS measurements: CVS 5.0, 5.33 (fails), 6.53 (under 7, but up 1.2: passes).
CVS_HISTORY = (
    ("2022", "2022-03-14", [(5, 5, 5), (6, 5, 4), (5, 6, 5), (4, 5, 6), (5, 4, 5)]),
    ("2023", "2023-03-13", [(6, 5, 5), (5, 6, 5), (6, 5, 6), (5, 5, 5), (6, 6, 4)]),
    ("2024", "2024-03-11", [(7, 6, 7), (6, 7, 6), (7, 7, 6), (6, 6, 7), (7, 6, 7)]),
)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A CSV file as a spreadsheet writes it (comma separated, no quoting needed)."""
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def cvs_history() -> bytes:
    """`CVS_HISTORY` as one file with wave and date columns and a segment attribute."""
    rows = [
        (label, day, s, lo, r, "retail" if i % 2 else "wholesale")
        for label, day, triples in CVS_HISTORY
        for i, (s, lo, r) in enumerate(triples)
    ]
    return csv_bytes(("wave", "date", "satisfaction", "loyalty", "recommendation", "segment"), rows)


def kto_history(seed: int = 7, per_wave: int = 14) -> bytes:
    """Three KTO waves with every question kind: grades, a classification choice (by id
    or by its English or Dutch label), open texts (some formula-like) and attributes."""
    rng = random.Random(seed)
    kto = SURVEYS["kto"]
    questions = [q.id for q in kto.questions]
    since = ["lt1", "y1to3", "gt3", "less than a year", "langer dan drie jaar"]
    texts = ["", "", "Late deliveries", "=SUM(A1:A9)", "-", "Invoices; unclear"]
    rows = []
    waves = (("KTO 2020", "2020-05-04"), ("KTO 2021", "2021-05-03"), ("KTO 2022", "2022-05-02"))
    for w, (label, day) in enumerate(waves):
        for _ in range(per_wave):
            base = 5.5 + 0.8 * w + rng.random()
            row: list[object] = [label, day]
            for q in kto.questions:
                if q.kind.value == "scale":
                    cell = max(q.low, min(q.high, round(rng.gauss(base, 1.2))))
                    row.append("" if rng.random() < 0.05 else cell)
                elif q.id == "customer_since":
                    row.append(rng.choice(since))
                else:
                    row.append(rng.choice(texts))
            row += [rng.choice(("retail", "wholesale")), rng.choice(("north", "south", ""))]
            rows.append(row)
    return csv_bytes(("wave", "date", *questions, "segment", "region"), rows)


def parse(data: bytes, survey_id: str = "cvs", options: ImportOptions | None = None) -> list[Any]:
    """Validate a file against a built-in survey, as `klantstem responses import` does."""
    survey = SURVEYS[survey_id]
    others = {q.id for s in SURVEYS.values() if s.id != survey_id for q in s.questions}
    return parse_measurements(
        data, survey, options or ImportOptions(), other_questions=others, today=TODAY, tr=EN
    )


async def import_file(
    storage: Storage,
    data: bytes,
    survey_id: str = "cvs",
    options: ImportOptions | None = None,
    k: int = 5,
) -> list[WaveImport]:
    """Validate and store a file in one transaction (k: the minimum group size)."""
    waves = parse(data, survey_id, options)
    async with storage.transaction() as tx:
        return await import_measurements(tx, SURVEYS[survey_id], waves, NOW, min_group=k, tr=EN)


async def counts(storage: Storage) -> tuple[int, int, int]:
    """(waves, responses, answers) in the database."""
    out = []
    async with storage.transaction(write=False) as tx:
        for table in ("waves", "responses", "answers"):
            row = await tx.conn.fetchone(f"SELECT COUNT(*) FROM {table}")
            out.append(int(row[0]) if row else 0)
    return out[0], out[1], out[2]


async def json_report(
    storage: Storage, config: Config, survey_id: str, wave: str | None = None
) -> dict[str, Any]:
    """The JSON report (as `klantstem report --format json` prints it) as of NOW."""
    async with storage.transaction(write=False) as tx:
        report = await build_report(tx, dict(SURVEYS), config, Selection(survey_id, wave), NOW)
    return report_dict(report, "en")


def cli_options(folder: Path) -> list[str]:
    """`--db` and `--config` for a CLI run in English on a database in `folder`."""
    config = folder / "klantstem.toml"
    config.write_text('KLANTSTEM_LANGUAGE = "en"\n', encoding="utf-8")
    return ["--db", f"sqlite:///{folder / 'klantstem.db'}", "--config", str(config)]
