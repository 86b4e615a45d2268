"""Telegram commands: personal links, /forget, /help, admin commands and staff notices."""

from __future__ import annotations

import json

from bot.admin.commands import AdminRequest
from bot.config.settings import Config
from bot.delivery import Action, ActionPress, Notice
from bot.storage.records import StaffMember
from tests.conftest import Clock
from tests.fakes.telegram_api import buttons
from tests.support.telegram_harness import ADMIN, CUSTOMER, STAFF_CHAT, Telegram, running

STRANGER = 6060


async def identity_contact(tg: Telegram, user: int) -> str | None:
    async with tg.app.storage.transaction(write=False) as tx:
        identity = await tx.identity("telegram", str(user))
        contact = (
            await tx.contact_by_id(identity.contact_id)
            if identity and identity.contact_id
            else None
        )
    return contact.ref if contact else None


async def audit(tg: Telegram, action: str) -> list[dict[str, object]]:
    async with tg.app.storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT actor, detail FROM audit_log WHERE action = ? ORDER BY at", (action,)
        )
    return [{"actor": r[0], **json.loads(r[1])} for r in rows]


async def test_a_personal_link_links_the_contact_and_works_only_for_its_first_user(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        token = await tg.link("C-020")
        await tg.say(CUSTOMER, f"/start {token}")
        assert await identity_contact(tg, CUSTOMER) == "C-020"

        await tg.say(STRANGER, f"/start {token}")
        assert tg.texts(STRANGER) == [
            "This personal link was already used by someone else. Please ask us for a new one."
        ]
        assert await identity_contact(tg, STRANGER) is None

        await tg.say(STRANGER, "/start not-a-real-token")
        assert tg.texts(STRANGER)[-1] == (
            "This link does not work (any more). Please ask us for a new one."
        )


async def test_plain_start_needs_open_enrolment(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await tg.say(STRANGER, "/start")
        assert tg.texts(STRANGER) == [
            "Hello! This bot asks our customers for feedback. "
            "Please open it with the personal link you received from us."
        ]
        assert await tg.app.service.open_session("telegram", str(STRANGER)) is None


async def test_with_open_enrolment_plain_start_opens_the_survey_unlinked(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock, telegram_open_enrolment=True) as tg:
        await tg.say(STRANGER, "/start")
        assert buttons(tg.api.last(str(STRANGER))).keys() == {"Named", "Anonymous"}
        assert await identity_contact(tg, STRANGER) is None


async def test_start_again_goes_on_where_the_person_left_off(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        token = await tg.link("C-021")
        await tg.say(CUSTOMER, f"/start {token}")
        await tg.tap(CUSTOMER, "Named")
        await tg.tap(CUSTOMER, "7")
        await tg.say(CUSTOMER, "/start")

        assert tg.api.last(str(CUSTOMER))["text"].startswith("Question 2 of 3")
        stored = await tg.app.service.open_session("telegram", str(CUSTOMER))
        assert stored is not None and stored.session.answers == {"satisfaction": 7}


async def test_forget_deletes_named_answers_the_link_and_the_unreleased_anonymous_one(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-022')}")
        for label in ("Named", "8", "9", "10"):
            await tg.tap(CUSTOMER, label)
        await tg.say(CUSTOMER, "/start")
        for label in ("Anonymous", "3", "4", "5"):
            await tg.tap(CUSTOMER, label)
        await tg.say(CUSTOMER, "/skip")

        await tg.say(CUSTOMER, "/forget")
        assert "This cannot be undone." in tg.texts(CUSTOMER)[-1]
        await tg.tap(CUSTOMER, "Yes, delete my data")

        assert tg.texts(CUSTOMER)[-1] == (
            "Your data has been deleted. Released anonymous answers stay, as nothing links"
            " them to you."
        )
        async with tg.app.storage.transaction(write=False) as tx:
            assert await tx.identity("telegram", str(CUSTOMER)) is None
            counts = await tx.response_counts()
            held = await tx.held_count("cvs")
            tokens = await tx.conn.fetchall("SELECT * FROM link_tokens")
            contacts = await tx.contacts()
        # The anonymous answer was still held with its conversation (fewer than k wait), so
        # it was still tied to the person: it goes too.
        assert counts == [] and held == 0
        assert tokens == []
        assert [c.ref for c in contacts] == ["C-022"] and contacts[0].telegram is None
        assert await audit(tg, "identity.forget") == [{"actor": "telegram", "named_responses": 1}]


async def test_help_explains_and_asks_the_open_question_again(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-023')}")
        await tg.say(CUSTOMER, "/help")
        assert "/back changes your previous answer" in tg.texts(CUSTOMER)[-2]
        assert set(buttons(tg.api.last(str(CUSTOMER)))) == {"Named", "Anonymous"}
        await tg.say(CUSTOMER, "/whatever")
        assert "/back changes your previous answer" in tg.texts(CUSTOMER)[-2]


async def test_admin_commands_refuse_and_audit_non_admins(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        ran: list[AdminRequest] = []

        async def wave(request: AdminRequest) -> Notice:
            ran.append(request)
            return Notice(f"wave {' '.join(request.args)} started")

        tg.app.admin.register("wave", wave)
        await tg.say(STRANGER, "/wave start cvs segment=retail")
        await tg.say(STRANGER, "/report")

        assert tg.texts(STRANGER) == ["Sorry, only administrators can use this command."] * 2
        assert ran == []
        refused = await audit(tg, "admin.refused")
        assert [(r["actor"], r["command"]) for r in refused] == [
            (f"telegram:{STRANGER}", "wave"),
            (f"telegram:{STRANGER}", "report"),
        ]

        await tg.say(ADMIN, "/wave start cvs segment=retail")
        assert tg.texts(ADMIN) == ["wave start cvs segment=retail started"]
        assert ran[0].args == ("start", "cvs", "segment=retail")


async def test_a_redelivered_admin_command_runs_once(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        ran: list[AdminRequest] = []

        async def wave(request: AdminRequest) -> Notice:
            ran.append(request)
            return Notice("started")

        tg.app.admin.register("wave", wave)
        update = tg.updates.message(ADMIN, "/wave start cvs")
        await tg.feed(update)
        await tg.feed(update)  # the same update again: a retried webhook
        assert len(ran) == 1
        assert tg.texts(ADMIN) == ["started"]
        await tg.say(ADMIN, "/wave start cvs")  # a new update is a new command
        assert len(ran) == 2


async def test_staff_admins_may_run_commands_in_the_staff_group(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        async with tg.app.storage.transaction() as tx:
            member = StaffMember("S-1", "Bea", is_admin=True, telegram=str(STRANGER))
            await tx.upsert_staff(member, clock())

        await tg.say(STRANGER, "/flags@KlantstemTestBot", chat=STAFF_CHAT)
        await tg.say(STRANGER, "/flags@SomeOtherBot", chat=STAFF_CHAT)

        assert tg.texts(STAFF_CHAT) == ["Unknown command. Available: -."]


async def test_staff_notice_buttons_reach_the_action_handler(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        presses: list[ActionPress] = []

        async def on_flag(press: ActionPress) -> str:
            presses.append(press)
            return "Taken: you own this flag now."

        tg.app.on_action("flag", on_flag)
        ref = await tg.channel.notify(
            str(STAFF_CHAT),
            Notice("Detractor: Ann (C-001) answered 3.", (Action("I'll call", "flag:take:abc"),)),
        )
        assert ref == f"{STAFF_CHAT}:{tg.api.last(str(STAFF_CHAT))['message_id']}"

        await tg.tap(STRANGER, "I'll call", chat=STAFF_CHAT)

        assert tg.api.toasts() == ["Taken: you own this flag now."]
        assert [(p.value, p.user, p.address, p.message_ref) for p in presses] == [
            ("flag:take:abc", str(STRANGER), str(STAFF_CHAT), ref)
        ]


async def test_notice_with_a_chart_goes_out_as_a_photo(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await tg.channel.notify(str(ADMIN), Notice("CVS 7.4", image=b"\x89PNG fake"))
        (photo,) = tg.api.sent("sendPhoto")
        assert photo.params["caption"] == "CVS 7.4"
        assert tg.texts(ADMIN) == ["CVS 7.4"]
