"""Staff on Slack: the `/klantstem` admin command and action buttons on notices."""

from __future__ import annotations

import json
import time

from bot.admin.commands import AdminRequest, Handler
from bot.delivery import Action, ActionPress, Notice
from bot.i18n import translator
from bot.storage.records import StaffMember
from bot.timeutil import utc_now
from tests.support.slack_harness import ADMIN, Harness, button, buttons, running, texts

STAFF_CHANNEL = "C0STAFF001"
FORM = "application/x-www-form-urlencoded"


def _wave_handler(seen: list[AdminRequest]) -> Handler:
    async def wave(request: AdminRequest) -> Notice:
        seen.append(request)
        return Notice(f"Wave for {request.args[1]} started: 12 invitations queued.")

    return wave


async def _audit(bot: Harness) -> list[tuple[str, str, dict[str, object]]]:
    async with bot.app.storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall("SELECT actor, action, detail FROM audit_log ORDER BY at")
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


async def test_admin_starts_a_wave_with_the_slash_command(db_url: str) -> None:
    async with running(db_url) as bot:
        seen: list[AdminRequest] = []
        bot.app.admin.register("wave", _wave_handler(seen))
        answer = await bot.slack.command(
            ADMIN, "wave start cvs segment=retail", response_url=bot.api.hook_url
        )
        assert (answer.status, answer.text) == (200, "")
        await bot.settled()
        assert [(r.command, r.args, r.user, r.language) for r in seen] == [
            ("wave", ("start", "cvs", "segment=retail"), ADMIN, "en")
        ]
        assert bot.api.hooks[-1]["response_type"] == "ephemeral"
        assert bot.api.hooks[-1]["text"] == "Wave for cvs started: 12 invitations queued."


async def test_a_replayed_slash_command_runs_once(db_url: str) -> None:
    """The same signed request three times inside Slack's five minutes, and once more
    re-signed with a new timestamp: one wave, not four."""
    async with running(db_url) as bot:
        seen: list[AdminRequest] = []
        bot.app.admin.register("wave", _wave_handler(seen))
        body = bot.slack.command_body(ADMIN, "wave start cvs", response_url=bot.api.hook_url)
        stamp = int(time.time())
        for _ in range(3):
            answer = await bot.slack.post(body, FORM, timestamp=stamp)
            assert answer.status == 200
        await bot.slack.post(body, FORM, timestamp=stamp + 7)
        await bot.settled()
        assert len(seen) == 1
        await bot.slack.command(ADMIN, "wave start cvs", response_url=bot.api.hook_url)
        await bot.settled()
        assert len(seen) == 2, "a new command (a new trigger id) runs"


async def test_non_admin_gets_an_ephemeral_refusal_and_the_attempt_is_audited(
    db_url: str,
) -> None:
    async with running(db_url) as bot:
        seen: list[AdminRequest] = []
        bot.app.admin.register("wave", _wave_handler(seen))
        await bot.slack.command("U0OTHER001", "wave start cvs", response_url=bot.api.hook_url)
        await bot.settled()
        assert seen == []
        assert bot.api.hooks[-1]["response_type"] == "ephemeral"
        # The fake workspace gives this user a de-DE locale: the refusal is in German.
        refusal = translator("de").gettext("Sorry, only administrators can use this command.")
        assert bot.api.hooks[-1]["text"] == refusal
        assert (
            "slack:U0OTHER001",
            "admin.refused",
            {"args": ["start", "cvs"], "command": "wave"},
        ) in (await _audit(bot))


async def test_staff_member_imported_as_admin_may_use_the_command(db_url: str) -> None:
    async with running(db_url) as bot:
        async with bot.app.storage.transaction() as tx:
            await tx.upsert_staff(
                StaffMember("coord", "Coordinator", is_admin=True, slack="U0OTHER001"), utc_now()
            )
        seen: list[AdminRequest] = []
        bot.app.admin.register("wave", _wave_handler(seen))
        await bot.slack.command("U0OTHER001", "wave start kto", response_url=bot.api.hook_url)
        await bot.settled()
        assert [r.args for r in seen] == [("start", "kto")]
        # Their Slack locale is de-DE: the command runs in German.
        assert seen[0].language == "de"


async def test_empty_command_shows_the_usage(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.slack.command(ADMIN, "", response_url=bot.api.hook_url)
        await bot.settled()
        assert "wave start <survey>" in bot.api.hooks[-1]["text"]


async def test_notice_action_buttons_reach_the_action_handler(db_url: str) -> None:
    async with running(db_url) as bot:
        presses: list[ActionPress] = []

        async def take(press: ActionPress) -> str:
            presses.append(press)
            return "You now own this flag."

        bot.app.on_action("flag", take)
        ref = await bot.channel.notify(
            STAFF_CHANNEL,
            Notice(
                "Detractor: Anna (recommendation 3)",
                actions=(Action("Take it", "flag:take:f1"), Action("Forward", "flag:fwd:f1")),
            ),
        )
        posted = bot.last_post(STAFF_CHANNEL)
        assert ref == f"{STAFF_CHANNEL}:{posted['ts']}"
        assert "Detractor: Anna" in texts(posted)
        assert [b["text"]["text"] for b in buttons(posted)] == ["Take it", "Forward"]

        answer = await bot.slack.press(
            ADMIN, STAFF_CHANNEL, posted, button(posted, "Take it"), response_url=bot.api.hook_url
        )
        assert answer.status == 200
        await bot.settled()
        assert [(p.user, p.value, p.message_ref) for p in presses] == [(ADMIN, "flag:take:f1", ref)]
        assert bot.api.hooks[-1] == {
            "text": "You now own this flag.",
            "response_type": "ephemeral",
            "replace_original": False,
        }


async def test_notice_with_a_chart_uploads_the_image(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.channel.notify(
            STAFF_CHANNEL,
            Notice("CVS this quarter: 7.4", image=b"\x89PNG...", image_name="cvs.png"),
        )
        assert bot.api.to("files.completeUploadExternal")[-1]["channel_id"] == STAFF_CHANNEL
