"""Earlier measurements in and out: imported waves become ordinary closed waves of
anonymous responses, so trends and the +10 point rule (G-P1, G-P2) start from an
organisation's history; an export writes a survey's anonymous answers in the same format.

An imported wave is stored like one run here and released like one: a `waves` row (opened
on its first answer day, closed on its last, marked imported with its invited count and
fingerprint) and `responses`/`answers` rows that are anonymous as a release makes them: no
person, random ids in random order, one date for the whole wave (its last answer day), no
language, and attributes coarsened so every combination occurs at least k times in the
wave (k = `KLANTSTEM_MIN_GROUP_SIZE`; a wave of fewer than k keeps no attributes). Every
report treats it alike. See `bot.imports.measurements_file` for the format and the columns refused.

An export reads only `responses` rows that are anonymous and in a wave: what a release or
an import stored (coarsened, one date). Held answers (`held_responses`), withheld ones
(never stored) and named responses are out of its reach.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from bot.imports.csvfile import CsvRejected, read_csv, write_csv
from bot.imports.measurements_file import DATE, INVITED, SURVEY, WAVE, MeasuredWave, unescape
from bot.storage import Transaction, new_id
from bot.storage.measurements_sql import LabelledWave
from bot.storage.waves_sql import Wave
from bot.timeutil import day_text
from flows import N_, Survey, Translator

Change = Literal["added", "invited", "unchanged"]
IMPORTED_BY = "import"


@dataclass(frozen=True)
class WaveImport:
    """What an import did with one wave: added, gave it its invited count, or nothing."""

    label: str
    respondents: int
    change: Change


@dataclass(frozen=True)
class Export:
    """A survey's anonymous answers as CSV, and the invited count of each exported wave."""

    csv: str
    respondents: int
    invited: list[tuple[str, int]]


async def import_measurements(
    tx: Transaction,
    survey: Survey,
    waves: Sequence[MeasuredWave],
    now: datetime,
    *,
    min_group: int,
    tr: Translator,
) -> list[WaveImport]:
    """Store validated waves in the caller's transaction, their attributes coarsened so
    every combination occurs at least `min_group` times per wave; a wave imported before
    with the same answers is left as it is. Raises `CsvRejected` (nothing written) when a
    label is taken by a different wave."""
    existing = await tx.waves_labelled([w.label for w in waves])
    problems: list[tuple[int, str]] = []
    outcomes: list[WaveImport] = []
    todo: list[tuple[MeasuredWave, list[str], str]] = []
    for wave in waves:
        attributes = wave.stored_attributes(min_group)
        fingerprint = wave.fingerprint(survey.id, attributes)
        found = existing.get(wave.label, [])
        if not found:
            todo.append((wave, attributes, fingerprint))
            continue
        problem = _conflict(found, wave, fingerprint, survey, tr)
        if problem:
            problems.append((wave.line, problem))
            continue
        change: Change = "unchanged"
        if wave.invited is not None and found[0].invited_count is None:
            await tx.set_invited_count(found[0].id, wave.invited)
            change = "invited"
        outcomes.append(WaveImport(wave.label, len(wave.respondents), change))
    if problems:
        raise CsvRejected(sorted(problems, key=lambda p: p[0]))
    for wave, attributes, fingerprint in todo:
        await _store(tx, survey, wave, attributes, fingerprint, now)
        outcomes.append(WaveImport(wave.label, len(wave.respondents), "added"))
    order = {w.label: i for i, w in enumerate(waves)}
    return sorted(outcomes, key=lambda o: order[o.label])


def _conflict(
    found: list[LabelledWave], wave: MeasuredWave, fingerprint: str, survey: Survey, tr: Translator
) -> str | None:
    """Why a wave cannot be imported under a label that exists already (None: same wave)."""
    other = next((w for w in found if w.survey_id != survey.id), None)
    if other is not None:
        message = N_(
            "wave {label!r} belongs to survey {survey!r}; give this measurement another label"
        )
        return tr.gettext(message).format(label=wave.label, survey=other.survey_id)
    if len(found) > 1 or not found[0].imported:
        message = N_("wave {label!r} was run in Klantstem; give this measurement another label")
        return tr.gettext(message).format(label=wave.label)
    stored = found[0]
    if stored.fingerprint not in (fingerprint, wave.earlier_fingerprint(survey.id)):
        message = N_(
            "wave {label!r} was imported before with other answers;"
            " give this measurement another label"
        )
        return tr.gettext(message).format(label=wave.label)
    if wave.invited is not None and stored.invited_count not in (None, wave.invited):
        message = N_("wave {label!r} was imported before with {invited} invited, not {given}")
        return tr.gettext(message).format(
            label=wave.label, invited=stored.invited_count, given=wave.invited
        )
    return None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


async def _store(
    tx: Transaction,
    survey: Survey,
    measured: MeasuredWave,
    attributes: list[str],
    fingerprint: str,
    now: datetime,
) -> None:
    """One imported wave: the closed wave and its anonymous responses, in bulk, each with
    its coarsened `attributes`, the wave's last day and no language."""
    wave = Wave(
        id=new_id(),
        survey_id=survey.id,
        survey_version=survey.version,
        label=measured.label,
        population={},
        opened_at=_midnight(measured.first_day),
        created_by=IMPORTED_BY,
    )
    last = _midnight(measured.last_day)
    await tx.insert_wave(wave)
    await tx.mark_imported(wave.id, now, measured.invited, fingerprint)
    await tx.close_wave(wave.id, last)
    respondents = measured.respondents
    ids = [new_id() for _ in respondents]
    completed = day_text(last)
    sid, version, wid = survey.id, survey.version, wave.id
    responses: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    # In id order: the random ids say nothing about the file, and the indexes fill in order.
    for i in sorted(range(len(ids)), key=ids.__getitem__):
        rid = ids[i]
        responses.append((rid, sid, version, wid, 1, None, None, "", attributes[i], completed))
        answers.extend((rid, a[0], sid, wid, a[1], a[2], a[3]) for a in respondents[i].answers)
    await tx.insert_response_rows(responses, answers)


async def export_measurements(tx: Transaction, survey: Survey, wave_id: str | None) -> Export:
    """The anonymous answers given in waves of a survey (all, or one wave), one row per
    respondent: wave, date, one column per question (in survey order), then attributes."""
    keys: set[str] = set()
    for text in await tx.export_attribute_sets(survey.id, wave_id):
        keys.update(json.loads(text))
    questions = survey.questions
    attributes = sorted(keys)
    header = [WAVE, DATE, *(q.id for q in questions), *attributes]
    position = {q.id: i for i, q in enumerate(questions, start=2)}
    rows: list[list[object]] = []
    labels: set[str] = set()
    current: str | None = None
    async for batch in tx.export_answers(survey.id, wave_id):
        for label, completed, attrs, rid, qid, score, choice, text in batch:
            if rid != current:
                current = str(rid)
                labels.add(str(label))
                row: list[object] = [label, str(completed)[:10]] + [""] * len(questions)
                values = json.loads(attrs)
                row += [values.get(a, "") for a in attributes]
                rows.append(row)
            if qid in position:
                row[position[qid]] = score if score is not None else choice or text or ""
    invited = [
        (w.label, await tx.invited(w.id))
        for w in await tx.report_waves(survey.id)
        if w.label in labels and (wave_id is None or w.id == wave_id)
    ]
    return Export(write_csv(header, rows), len(rows), [(w, n) for w, n in invited if n])


def invited_csv(survey_id: str, invited: Sequence[tuple[str, int]], existing: bytes | None) -> str:
    """The waves.csv to write beside an export: this survey's invited counts, and the rows
    of other surveys that an existing waves.csv there holds."""
    rows: list[list[object]] = []
    if existing:
        header, found = read_csv(existing)
        if SURVEY in header and WAVE in header and INVITED in header:
            rows = [
                [unescape(r.cells[SURVEY]), unescape(r.cells[WAVE]), r.cells[INVITED]]
                for r in found
                if not r.problem and r.cells[SURVEY] not in ("", survey_id)
            ]
    rows += [[survey_id, label, n] for label, n in invited]
    return write_csv([SURVEY, WAVE, INVITED], rows)
