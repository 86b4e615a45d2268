"""`/report` in chat, and publishing a wave's results back to its people (G-R4)."""

from __future__ import annotations

import pytest

from bot.admin.commands import AdminRequest
from bot.app import build_app
from bot.cli.demo_world import seed_demo
from bot.cli.main import build_parser
from bot.config.settings import Config
from bot.conversations.service import Service
from bot.jobs.scheduler import Scheduler
from bot.reports import Selection
from bot.reports.chat import report_component
from bot.reports.publish import PublishError, publish_wave, result_counts
from bot.reports.summary import summary_notice
from bot.storage import Storage
from tests.conftest import Clock
from tests.fakes.recording_channel import RecordingChannel
from tests.support.report_data import NOW, SURVEYS, add_cvs, people_and_wave, report

ADMIN = "4242"


def ask(*args: str, command: str = "report") -> AdminRequest:
    return AdminRequest("telegram", ADMIN, ADMIN, command, args, "en")


def running_bot(
    storage: Storage, config: Config, *channels: RecordingChannel, clock: Clock | None = None
) -> Scheduler:
    """The scheduler of a bot running these channels (its sweep sends published results)."""
    service = Service(storage, SURVEYS, config, clock=clock or Clock(NOW))
    for channel in channels:
        service.attach(channel)
    return Scheduler(service)


@pytest.fixture
def telegram_config(db_url: str) -> Config:
    return Config.from_env(
        {"KLANTSTEM_LANGUAGE": "en", "KLANTSTEM_DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": "1:x"}
    )


async def test_report_command_answers_admins_with_a_summary_and_a_chart(
    storage: Storage, config: Config
) -> None:
    await add_cvs(storage, [(8, 9, 10), (7, 7, 7), (6, 5, 4), (9, 9, 9), (10, 10, 10)])
    app = await build_app(config, factories=[report_component], storage=storage)
    app.admin.admin_ids["telegram"] = {ADMIN}
    notice = await app.admin.run(ask())
    # CVS (9 + 7 + 5 + 9 + 10) / 5 = 8.0
    assert "CVS: 8.0 (passed (7 or more))" in notice.text
    assert notice.image is not None and notice.image.startswith(b"\x89PNG")

    refused = await app.admin.run(AdminRequest("telegram", "1", "1", "report", (), "en"))
    assert "only administrators" in refused.text and refused.image is None


async def test_report_command_hides_a_small_wave_and_explains_bad_input(
    storage: Storage, config: Config
) -> None:
    await add_cvs(storage, [(1, 1, 1), (2, 2, 2)])
    app = await build_app(config, factories=[report_component], storage=storage)
    app.admin.admin_ids["telegram"] = {ADMIN}
    notice = await app.admin.run(ask("cvs"))
    assert "Figures are shown from 5 respondents on." in notice.text
    assert "CVS:" not in notice.text and notice.image is None
    bad = await app.admin.run(ask("cvs", "2026-13"))
    assert "is not a period" in bad.text


async def test_publishing_sends_the_results_to_invitees_and_staff_once(
    storage: Storage, telegram_config: Config
) -> None:
    wave = await people_and_wave(storage, answered=5)
    done = await publish_wave(storage, SURVEYS, telegram_config, "W1", "test", NOW)
    # Six invited customers and both staff members, all in Telegram.
    assert (done.queued, done.unreachable, done.skipped) == (8, 0, 0)
    platform = RecordingChannel()
    assert await running_bot(storage, telegram_config, platform).sweep() == 8
    assert sorted(p.address for p in platform.posted) == [
        "101", "102", "103", "104", "105", "106", "901", "902",
    ]  # fmt: skip
    text = platform.posted[0].text
    assert "CVS: 8.0" in text and "Thank you for taking part" in text
    assert "\u2192" not in text  # internal recommendations stay with the admins

    again = await publish_wave(storage, SURVEYS, telegram_config, wave[:6], "test", NOW)
    assert (again.queued, again.skipped, again.pending) == (0, 8, 0)
    assert await running_bot(storage, telegram_config, platform).sweep() == 0
    assert len(platform.posted) == 8
    r = await report(storage, telegram_config, Selection(wave="W1"))
    assert r.scope.published_at == NOW


async def test_mirror_results_go_only_to_the_staff_asked(
    storage: Storage, telegram_config: Config
) -> None:
    await people_and_wave(storage, answered=5, survey_id="mirror")
    done = await publish_wave(storage, SURVEYS, telegram_config, "W1", "test", NOW)
    assert (done.queued, done.unreachable) == (1, 0)


async def test_unreachable_people_and_a_failing_platform(
    storage: Storage, telegram_config: Config
) -> None:
    await people_and_wave(storage, answered=5)
    await publish_wave(storage, SURVEYS, telegram_config, "W1", "test", NOW)
    platform = RecordingChannel(unreachable={"101"}, failures={"102": 1})
    clock = Clock(NOW)
    bot = running_bot(storage, telegram_config, platform, clock=clock)
    await bot.sweep()
    assert len(platform.posted) == 6
    # 102 failed once and is tried again a minute later; 101 is never retried.
    clock.advance(minutes=2)
    assert await bot.sweep() == 1
    assert sorted(p.address for p in platform.posted) == [
        "102", "103", "104", "105", "106", "901", "902",
    ]  # fmt: skip
    async with storage.transaction(write=False) as tx:
        counts = await result_counts(tx, (await tx.report_wave("W1")).id)  # type: ignore[union-attr]
    assert counts == {"sent": 7, "unreachable": 1}


async def test_without_a_chat_channel_everyone_is_unreachable(
    storage: Storage, config: Config
) -> None:
    await people_and_wave(storage, answered=5)
    done = await publish_wave(storage, SURVEYS, config, "W1", "test", NOW)
    assert (done.queued, done.unreachable) == (0, 8)


async def test_a_wave_below_the_minimum_is_not_published(
    storage: Storage, telegram_config: Config
) -> None:
    await people_and_wave(storage, answered=4)
    with pytest.raises(PublishError, match="has 4 respondents"):
        await publish_wave(storage, SURVEYS, telegram_config, "W1", "test", NOW)
    async with storage.transaction(write=False) as tx:
        assert await tx.published_waves() == {}


async def test_wave_publish_in_chat_and_on_the_command_line(
    storage: Storage, telegram_config: Config, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await people_and_wave(storage, answered=5)
    app = await build_app(telegram_config, factories=[report_component], storage=storage)
    app.admin.admin_ids["telegram"] = {ADMIN}
    notice = await app.admin.run(ask("publish", "W1", command="wave"))
    assert notice.text.startswith("Results of W1 queued for 8 people")
    for wave, status, stream in (("W1", 0, "out"), ("nope", 1, "err")):
        args = build_parser().parse_args(["wave", "publish", wave, "--db", db_url])
        assert await args.command(args, telegram_config) == status
        said = capsys.readouterr()
        assert ("8 were queued before" if status == 0 else "There is no wave 'nope'.") in getattr(
            said, stream
        )


async def test_summary_for_respondents_is_in_their_language(
    storage: Storage, config: Config
) -> None:
    await seed_demo(storage, config, today=NOW.date(), days=45)
    r = await report(storage, config)
    text = summary_notice(r, "nl", "respondents").text
    assert r.cvs is not None and r.cvs.figures is not None and r.cvs.figures.summary.mean
    # The Dutch decimal comma: 7,8 rather than 7.8.
    assert f"CVS: {r.cvs.figures.summary.mean:.1f}".replace(".", ",") in text
