"""`klantstem demo --days N` plays the demo organisation through the real bot: afterwards
the database holds what the bot itself would have written, the follow-up included."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Config
from bot.reports.publish import result_counts
from bot.storage import open_storage
from bot.timeutil import from_text
from tests.support.cli import main

TODAY = "2026-11-23"
DAYS = "45"
DAY_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}  \S")
SWEEP_GAP = timedelta(minutes=15)
DEFAULTS = Config.from_env({"KLANTSTEM_LANGUAGE": "en"})


def run_demo(url: str, capsys: pytest.CaptureFixture[str], *more: str) -> list[str]:
    capsys.readouterr()
    assert main(["demo", "--db", url, "--today", TODAY, "--days", DAYS, *more]) == 0
    return capsys.readouterr().out.splitlines()


def json_report(url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", "--db", url, "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    data.pop("generated_at")
    data["scope"].pop("wave_id")
    return data


async def what_happened(url: str) -> dict[str, Any]:
    """What the database holds about flags, reminders, waves and results."""
    storage = await open_storage(url)
    try:
        async with storage.transaction(write=False) as tx:
            flags = [(flag, await tx.flag_events(flag.id)) for flag in await tx.flags()]
            waves = await tx.recent_waves(20)
            results = {w.label: await result_counts(tx, w.id) for w in waves}
            published = {w.label: await tx.publication_count(w.id) for w in waves}
            reminded = await tx.conn.fetchall(
                "SELECT sent_at, reminded_at FROM invitations WHERE reminded_at IS NOT NULL"
            )
    finally:
        await storage.close()
    return {
        "flags": flags,
        "waves": waves,
        "results": results,
        "published": published,
        "reminded": [(from_text(r[0]), from_text(r[1])) for r in reminded],
    }


def check_the_follow_up(found: dict[str, Any]) -> None:
    config = DEFAULTS
    detractors = [(f, events) for f, events in found["flags"] if f.kind == "detractor"]
    assert len(detractors) >= 5
    for flag, events in detractors:
        actions = [e.action for e in events]
        assert actions[0] == "raised" and "alerted" in actions, actions
        assert "closed" in actions or "escalated" in actions, actions
        if flag.status == "closed":
            closing = next(e for e in events if e.action == "closed")
            assert closing.actor.startswith("staff:S0") and closing.note == flag.outcome
            assert {"forwarded", "taken"} & set(actions), actions
        for event in events:
            due = {
                "not forwarded yet": config.forward_reminder,
                "not followed up yet": config.followup_reminder,
            }.get(event.note or "")
            if event.action == "reminded" and due is not None:
                assert timedelta(0) <= event.at - (flag.raised_at + due) <= SWEEP_GAP
            if event.action == "escalated":
                within = (
                    config.forward_escalation
                    if event.note and event.note.startswith("not forwarded")
                    else config.followup_escalation
                )
                assert timedelta(0) <= event.at - (flag.raised_at + within) <= SWEEP_GAP
    every = [a for _f, events in detractors for a in (e.action for e in events)]
    assert {"forwarded", "taken", "closed", "escalated", "reminded"} <= set(every)
    assert found["reminded"], "unanswered invitations get their reminder"
    for sent, reminded in found["reminded"]:
        assert timedelta(0) <= reminded - (sent + config.reminder_after) <= SWEEP_GAP
    labels = {w.label for w in found["waves"]}
    assert labels == {"KTO 2026 autumn", "Mirror 2026"}
    for wave in found["waves"]:
        assert wave.closed_at is not None
        assert found["published"][wave.label] == 1
        assert found["results"][wave.label].get("sent", 0) > 5
        assert set(found["results"][wave.label]) <= {"sent", "unreachable"}


def test_weeks_of_follow_up_happen_through_the_bot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    lines = run_demo(url, capsys)
    days = [line for line in lines if DAY_LINE.match(line)]
    assert 30 <= len(days) <= 45
    assert days[0].startswith("2026-10-09  Mirror 2026 opened")
    text = "\n".join(days)
    for word in ("invited", "reminded", "answered", "flags raised", "escalations", "flags closed"):
        assert word in text
    assert "KTO 2026 autumn closed" in text and "results of KTO 2026 autumn sent" in text
    assert lines[-2].startswith("Demo organisation written to")
    check_the_follow_up(asyncio.run(what_happened(url)))

    # The same seed twice: the same figures.
    again = f"sqlite:///{tmp_path / 'again.db'}"
    run_demo(again, capsys)
    assert json_report(url, capsys) == json_report(again, capsys)

    # A database with data is refused, and nothing changes.
    before = json_report(url, capsys)
    assert main(["demo", "--db", url, "--today", TODAY, "--days", DAYS]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert json_report(url, capsys) == before


def test_the_demo_runs_the_same_on_postgresql(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = run_demo(postgres_url, capsys)
    assert any("escalations" in line for line in lines if DAY_LINE.match(line))
    check_the_follow_up(asyncio.run(what_happened(postgres_url)))


def test_days_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--db", url, "--days", "0"]) == 2
    assert "--days must be 1 or more" in capsys.readouterr().err
    assert not (tmp_path / "demo.db").exists()
