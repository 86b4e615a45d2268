"""Upgrading a database whose anonymous answers were stored one by one: no day or
language singles one out afterwards."""

from __future__ import annotations

from bot.storage import open_driver
from bot.storage.migrate import available, migrate

BEFORE = [m for m in available() if m.version < 8]

ROWS = [
    # id, wave, anonymous, language, completed_at
    ("a1", "w1", 1, "fr", "2026-03-02T00:00:00Z"),
    ("a2", "w1", 1, "nl", "2026-03-05T00:00:00Z"),
    ("a3", None, 1, "de", "2026-04-03T00:00:00Z"),
    ("a4", None, 1, "nl", "2026-04-19T00:00:00Z"),
    ("a5", None, 1, "nl", "2026-05-01T00:00:00Z"),
    ("n1", "w1", 0, "nl", "2026-03-03T10:14:00Z"),
]


async def test_upgrading_gives_old_anonymous_answers_one_date_per_wave_or_month(
    backend_url: str,
) -> None:
    driver = await open_driver(backend_url)
    try:
        await migrate(driver, BEFORE)
        async with driver.transaction(write=True) as tx:
            await tx.execute(
                "INSERT INTO waves (id, survey_id, survey_version, label, opened_at)"
                " VALUES ('w1', 'cvs', 1, 'CVS 2026', '2026-03-01T09:00:00Z')"
            )
            for rid, wave, anonymous, language, at in ROWS:
                await tx.execute(
                    "INSERT INTO responses (id, survey_id, survey_version, wave_id, anonymous,"
                    " language, completed_at) VALUES (?, 'cvs', 1, ?, ?, ?, ?)",
                    (rid, wave, anonymous, language, at),
                )
        await migrate(driver)
        async with driver.transaction(write=False) as tx:
            rows = await tx.fetchall("SELECT id, language, completed_at FROM responses")
    finally:
        await driver.close()
    got = {str(r[0]): (str(r[1]), str(r[2])) for r in rows}
    assert got == {
        "a1": ("", "2026-03-05T00:00:00Z"),
        "a2": ("", "2026-03-05T00:00:00Z"),
        "a3": ("", "2026-04-19T00:00:00Z"),
        "a4": ("", "2026-04-19T00:00:00Z"),
        "a5": ("", "2026-05-01T00:00:00Z"),
        "n1": ("nl", "2026-03-03T10:14:00Z"),  # a named answer keeps its time
    }
