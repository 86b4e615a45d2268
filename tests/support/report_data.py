"""Building small, hand-checkable report datasets through the storage methods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.config.settings import Config
from bot.reports import Report, Selection, build_report
from bot.storage import Storage, new_id
from bot.storage.records import Contact, NewResponse, StaffMember, StoredAnswer
from bot.storage.waves_sql import Invitation, Wave
from flows import Survey, builtin_surveys

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SURVEYS = builtin_surveys()


async def add_wave(
    storage: Storage, survey_id: str, label: str, opened: datetime, invited: int = 0
) -> str:
    """A wave with `invited` invitations (to nobody in particular: only the count matters)."""
    wave = Wave(new_id(), survey_id, 1, label, {}, opened, opened + timedelta(days=14))
    async with storage.transaction() as tx:
        await tx.insert_wave(wave)
        await tx.insert_invitations(
            Invitation(new_id(), survey_id, opened, opened, wave_id=wave.id) for _ in range(invited)
        )
    return wave.id


async def add_response(
    storage: Storage,
    survey_id: str,
    answers: Mapping[str, int | str],
    *,
    wave_id: str | None = None,
    when: datetime = NOW - timedelta(days=3),
    attributes: Mapping[str, str] | None = None,
    anonymous: bool = True,
) -> str:
    """One response, anonymous unless told; a str answer to a choice question is its
    choice id."""
    survey = SURVEYS[survey_id]
    stored = tuple(
        StoredAnswer(q, score=v)
        if isinstance(v, int)
        else StoredAnswer(q, choice=v)
        if survey.question(q).choices
        else StoredAnswer(q, text=v)
        for q, v in answers.items()
    )
    async with storage.transaction() as tx:
        return await tx.store_response(
            NewResponse(
                survey_id,
                1,
                wave_id,
                anonymous,
                None,
                None,
                "en",
                dict(attributes or {}),
                when,
                stored,
            )
        )


async def add_cvs(
    storage: Storage,
    triples: list[tuple[int, int, int]],
    *,
    wave_id: str | None = None,
    when: datetime = NOW - timedelta(days=3),
    survey_id: str = "cvs",
    anonymous: bool = True,
) -> None:
    """CVS responses: (satisfaction, loyalty, recommendation) each."""
    for s, lo, r in triples:
        answers = {"satisfaction": s, "loyalty": lo, "recommendation": r}
        await add_response(
            storage, survey_id, answers, wave_id=wave_id, when=when, anonymous=anonymous
        )


async def report(
    storage: Storage,
    config: Config,
    selection: Selection | None = None,
    surveys: dict[str, Survey] | None = None,
) -> Report:
    """The report of a selection as of NOW."""
    async with storage.transaction(write=False) as tx:
        return await build_report(
            tx, surveys or dict(SURVEYS), config, selection or Selection(), NOW
        )


async def people_and_wave(storage: Storage, answered: int, survey_id: str = "cvs") -> str:
    """Six customers and two staff in Telegram; a wave asking the customers (or, for an
    employee survey, the first staff member); `answered` of them answered (CVS 8)."""
    async with storage.transaction() as tx:
        for i in range(1, 3):
            member = StaffMember(f"S{i}", f"Staff {i}", telegram=f"90{i}")
            await tx.upsert_staff(member, NOW)
        for i in range(1, 7):
            await tx.upsert_contact(Contact(f"C{i}", f"Customer {i}", telegram=f"10{i}"), NOW)
        contacts = [c.id for c in await tx.contacts()]
        staff = [m.id for m in await tx.staff()]
    wave = await add_wave(storage, survey_id, "W1", NOW - timedelta(days=10))
    employees = SURVEYS[survey_id].always_anonymous
    async with storage.transaction() as tx:
        await tx.insert_invitations(
            Invitation(
                f"inv{i}",
                survey_id,
                NOW,
                NOW,
                wave_id=wave,
                contact_id=None if employees else person,
                staff_id=person if employees else None,
            )
            for i, person in enumerate(staff[:1] if employees else contacts)
        )
    await add_cvs(storage, [(8, 8, 8)] * answered, wave_id=wave, survey_id=survey_id)
    return wave
