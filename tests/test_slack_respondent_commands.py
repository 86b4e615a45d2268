"""A respondent's own commands in Slack: `/klantstem forget` and `/klantstem language`, and
the Slack locale as the language of a new person. Non-admins use them for themselves."""

from __future__ import annotations

import json

from bot.i18n import LANGUAGES, language_name, translator
from bot.storage import Storage
from tests.support.slack_harness import (
    CUSTOMER,
    CUSTOMER_DM,
    USERS,
    button,
    buttons,
    running,
    texts,
)
from tests.support.slack_respondents import (
    FORGOTTEN,
    _,
    answered,
    ask_to_forget,
    state,
)

OTHER = "U0OTHER001"
"""A workspace member with the de-DE locale."""


DONE = "Your data has been deleted. Released anonymous answers stay, as nothing links them to you."


async def audit(storage: Storage, action: str) -> list[tuple[str, dict[str, object]]]:
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT actor, detail FROM audit_log WHERE action = ? ORDER BY at", (action,)
        )
    return [(str(r[0]), json.loads(r[1])) for r in rows]


async def test_forget_then_confirm_deletes_named_answers_and_links_and_keeps_anonymous(
    db_url: str,
) -> None:
    async with running(db_url) as bot:
        await answered(bot.app.service, bot.app.storage, telegram="4242")
        before = await state(bot.app.storage)
        assert before["responses"] == {0: 3, 1: 5} and before["held"] == 1

        confirmation = await ask_to_forget(bot)
        assert await state(bot.app.storage) == before, "nothing changes until confirmed"
        confirm = _(CUSTOMER, "Yes, delete my data")
        assert [b["text"]["text"] for b in buttons(confirmation)] == [confirm]

        assert await bot.press(confirm) == 200
        await bot.settled()
        assert await state(bot.app.storage) == FORGOTTEN
        assert await audit(bot.app.storage, "identity.forget") == [
            ("slack", {"named_responses": 2})
        ]
        done = bot.api.to("chat.update")[-1]
        assert done["ts"] == confirmation["ts"] and buttons(done) == []
        assert texts(done) == _(CUSTOMER, DONE)


async def test_someone_elses_press_of_the_confirmation_is_refused(db_url: str) -> None:
    async with running(db_url) as bot:
        await answered(bot.app.service, bot.app.storage, telegram="4242")
        before = await state(bot.app.storage)
        confirmation = await ask_to_forget(bot)

        press = button(confirmation, _(CUSTOMER, "Yes, delete my data"))
        answer = await bot.slack.press(
            OTHER, CUSTOMER_DM, confirmation, press, response_url=bot.api.hook_url
        )
        assert answer.status == 200
        await bot.settled()
        after = await state(bot.app.storage)
        # The presser's own identity is new (their locale was looked up); nothing else is.
        after["identities"].remove(("slack", OTHER))
        assert after == before
        assert await audit(bot.app.storage, "identity.forget") == []
        assert bot.api.hooks[-1]["response_type"] == "ephemeral"
        assert bot.api.hooks[-1]["text"] == _(OTHER, "This button is not valid.")


async def test_a_non_admin_forgets_themselves_without_any_answers(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.slack.dm(OTHER, "D" + OTHER[1:], "hallo")
        await bot.settled()
        confirmation = await ask_to_forget(bot, OTHER)
        confirm = _(OTHER, "Yes, delete my data")
        await bot.press(confirm, user=OTHER, channel="D" + OTHER[1:])
        await bot.settled()
        async with bot.app.storage.transaction(write=False) as tx:
            assert await tx.identity("slack", OTHER) is None
        assert texts(bot.api.to("chat.update")[-1]) == _(OTHER, DONE)
        assert confirmation["channel"] == "D" + OTHER[1:]


async def test_language_de_asks_the_open_question_again_in_german(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs", language="en")
        await bot.press("Named")
        await bot.settled()
        assert "How satisfied are you with us overall?" in texts(bot.last_post())

        answer = await bot.slack.command(CUSTOMER, "language de", response_url=bot.api.hook_url)
        assert answer.status == 200
        await bot.settled()
        german = translator("de").gettext("How satisfied are you with us overall?")
        assert german != "How satisfied are you with us overall?"
        assert german in texts(bot.last_post())
        async with bot.app.storage.transaction(write=False) as tx:
            identity = await tx.identity("slack", CUSTOMER)
        assert identity is not None and identity.language == "de"
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.language == "de"
        assert await audit(bot.app.storage, "identity.language") == [("slack", {"language": "de"})]

        # The German question's buttons answer it.
        assert await bot.press("8") == 200
        await bot.settled()
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.answers == {"satisfaction": 8}


async def test_an_unknown_language_gets_the_list_and_changes_nothing(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs", language="en")
        await bot.press("Named")
        await bot.settled()
        async with bot.app.storage.transaction(write=False) as tx:
            before = await tx.identity("slack", CUSTOMER)
        session_before = await bot.app.service.open_session("slack", CUSTOMER)

        await bot.slack.command(CUSTOMER, "language xx", response_url=bot.api.hook_url)
        await bot.settled()
        listed = "Please choose one of these languages: {languages}.".format(
            languages=", ".join(LANGUAGES)
        )
        assert texts(bot.last_post()) == _(CUSTOMER, listed)
        async with bot.app.storage.transaction(write=False) as tx:
            assert await tx.identity("slack", CUSTOMER) == before
        assert await bot.app.service.open_session("slack", CUSTOMER) == session_before
        assert await audit(bot.app.storage, "identity.language") == []


async def test_language_without_a_code_offers_the_choices_as_buttons(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.slack.command(CUSTOMER, "language", response_url=bot.api.hook_url)
        await bot.settled()
        choices = bot.last_post()
        assert translator("nl").gettext("Choose your language:") in texts(choices)
        assert [b["value"] for b in buttons(choices)] == list(LANGUAGES)

        assert await bot.press(language_name("fr")) == 200
        await bot.settled()
        expected = translator("fr").gettext("From now on I will write to you in {language}.")
        assert texts(bot.last_post()) == expected.format(language=language_name("fr"))
        async with bot.app.storage.transaction(write=False) as tx:
            identity = await tx.identity("slack", CUSTOMER)
        assert identity is not None and identity.language == "fr"


async def test_a_new_persons_first_message_is_in_their_slack_locale(db_url: str) -> None:
    assert USERS[OTHER][1] == "de-DE"
    async with running(db_url) as bot:
        assert (await bot.slack.dm(OTHER, "D" + OTHER[1:], "Hallo?")).status == 200
        await bot.settled()
        expected = translator("de").gettext(
            "You have no survey open right now. Thank you for getting in touch!"
        )
        assert expected.startswith("Sie haben")
        assert texts(bot.last_post("D" + OTHER[1:])) == expected
        async with bot.app.storage.transaction(write=False) as tx:
            identity = await tx.identity("slack", OTHER)
        assert identity is not None and identity.language == "de"
