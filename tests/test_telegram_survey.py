"""A customer answers the CVS survey in Telegram: the real Application fed updates."""

from __future__ import annotations

from bot.config.settings import Config
from tests.conftest import Clock
from tests.fakes.telegram_api import buttons
from tests.support.telegram_harness import CUSTOMER, Telegram, running

SCALE_ROWS = [[str(v) for v in range(6)], [str(v) for v in range(6, 11)]]


def keyboard(message: dict[str, object]) -> list[list[str]]:
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]


async def stored_answers(tg: Telegram) -> list[tuple[object, ...]]:
    async with tg.app.storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT r.anonymous, c.ref, a.question_id, a.score FROM responses r"
            " LEFT JOIN contacts c ON c.id = r.contact_id"
            " JOIN answers a ON a.response_id = r.id ORDER BY a.question_id"
        )
    return [tuple(r) for r in rows]


async def test_deep_link_consent_and_three_taps_store_a_named_response(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        token = await tg.link("C-001")
        await tg.say(CUSTOMER, f"/start {token}")

        invitation = tg.api.last(str(CUSTOMER))
        assert invitation["text"].startswith("Customer Value Score\n\nBefore we start")
        assert keyboard(invitation) == [["Named"], ["Anonymous"]]

        await tg.tap(CUSTOMER, "Named")
        consent = tg.api.messages(str(CUSTOMER))[0]
        assert consent["text"].endswith("Your answer: Named")
        assert "reply_markup" not in consent
        satisfaction = tg.api.last(str(CUSTOMER))
        assert satisfaction["text"].startswith("Question 1 of 3")
        assert keyboard(satisfaction) == SCALE_ROWS

        await tg.tap(CUSTOMER, "8")
        await tg.tap(CUSTOMER, "9")
        await tg.tap(CUSTOMER, "10")

        texts = tg.texts(CUSTOMER)
        assert texts[-1] == "Thank you! Your answers have been saved."
        assert [t.rsplit("\n", 1)[-1] for t in texts[1:4]] == [
            "Your answer: 8",
            "Your answer: 9",
            "Your answer: 10",
        ]
        assert all(not buttons(m) for m in tg.api.messages(str(CUSTOMER)))
        assert await stored_answers(tg) == [
            (0, "C-001", "loyalty", 9),
            (0, "C-001", "recommendation", 10),
            (0, "C-001", "satisfaction", 8),
        ]
        assert tg.api.toasts() == ["", "", "", ""]


async def test_typed_answers_count_and_bad_input_is_re_asked(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        token = await tg.link("C-002")
        await tg.say(CUSTOMER, f"/start {token}")
        await tg.say(CUSTOMER, "named")
        await tg.say(CUSTOMER, "eleven")
        assert tg.texts(CUSTOMER)[-1] == (
            "Please answer with a whole number from 0 to 10, for example 5."
        )
        await tg.say(CUSTOMER, "7")
        await tg.say(CUSTOMER, " 8/10 ")
        await tg.say(CUSTOMER, "6")
        improve = tg.texts(CUSTOMER)[-1]
        assert "What could we do better?" in improve
        assert "/skip" in improve
        await tg.say(CUSTOMER, "Faster delivery, please")

        assert tg.texts(CUSTOMER)[-1] == "Thank you! Your answers have been saved."
        satisfaction = next(t for t in tg.texts(CUSTOMER) if "How satisfied" in t)
        assert satisfaction.endswith("Your answer: 7")
        async with tg.app.storage.transaction(write=False) as tx:
            rows = await tx.conn.fetchall(
                "SELECT r.anonymous, r.contact_id IS NOT NULL, a.question_id, a.score, a.text"
                " FROM responses r JOIN answers a ON a.response_id = r.id ORDER BY a.question_id"
            )
        assert [tuple(r) for r in rows] == [
            (0, 1, "improve", None, "Faster delivery, please"),
            (0, 1, "loyalty", 8, None),
            (0, 1, "recommendation", 6, None),
            (0, 1, "satisfaction", 7, None),
        ]


async def test_back_shows_the_earlier_answer_and_retires_the_newer_buttons(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-003')}")
        await tg.tap(CUSTOMER, "Named")
        await tg.tap(CUSTOMER, "4")
        loyalty = tg.api.last(str(CUSTOMER))
        await tg.say(CUSTOMER, "/back")

        again = tg.api.last(str(CUSTOMER))
        assert "How satisfied are you with us overall?" in again["text"]
        assert "Current answer: 4" in again["text"]
        assert buttons(tg.api.messages(str(CUSTOMER))[loyalty["message_id"] - 1]) == {}
        await tg.tap(CUSTOMER, "9")
        assert tg.api.last(str(CUSTOMER))["text"].startswith("Question 2 of 3")


async def test_stop_ends_the_survey_and_keeps_nothing(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-004')}")
        await tg.tap(CUSTOMER, "Named")
        await tg.tap(CUSTOMER, "3")
        await tg.say(CUSTOMER, "/stop")

        assert tg.texts(CUSTOMER)[-1] == (
            "You stopped the survey. Nothing of this conversation was kept."
        )
        assert await stored_answers(tg) == []
        assert await tg.app.service.open_session("telegram", str(CUSTOMER)) is None
        await tg.say(CUSTOMER, "8")
        assert tg.texts(CUSTOMER)[-1] == (
            "You have no survey open right now. Thank you for getting in touch!"
        )


async def test_a_redelivered_update_is_processed_once(config: Config, clock: Clock) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-005')}")
        await tg.tap(CUSTOMER, "Anonymous")
        update = tg.updates.message(CUSTOMER, "8")
        await tg.feed(update)
        await tg.feed(update)

        assert len(tg.api.sent("sendMessage", str(CUSTOMER))) == 3
        assert tg.api.last(str(CUSTOMER))["text"].startswith("Question 2 of 3")


async def test_questions_follow_the_app_language_until_the_person_picks_one(
    config: Config, clock: Clock
) -> None:
    async with running(config, clock) as tg:
        await tg.say(CUSTOMER, f"/start {await tg.link('C-006')}", language="nl-BE")
        session = await tg.app.service.open_session("telegram", str(CUSTOMER))
        assert session is not None and session.session.language == "nl"
        await tg.say(CUSTOMER, "2", language="nl-BE")
        await tg.say(CUSTOMER, "/language de")
        async with tg.app.storage.transaction(write=False) as tx:
            identity = await tx.identity("telegram", str(CUSTOMER))
        assert identity is not None and identity.language == "de"
        session = await tg.app.service.open_session("telegram", str(CUSTOMER))
        assert session is not None and session.session.language == "de"
