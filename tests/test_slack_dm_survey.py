"""A CVS survey taken in a Slack DM through the real Bolt app over HTTP."""

from __future__ import annotations

from bot.storage import Storage
from tests.support.slack_harness import CUSTOMER, CUSTOMER_DM, button, buttons, running, texts


async def _stored_scores(storage: Storage) -> list[dict[str, int]]:
    async with storage.transaction(write=False) as tx:
        rows = await tx.conn.fetchall(
            "SELECT r.id, r.anonymous, a.question_id, a.score, a.text FROM responses r"
            " JOIN answers a ON a.response_id = r.id ORDER BY a.question_id"
        )
    return [
        dict(zip(("id", "anonymous", "question", "score", "text"), r, strict=True)) for r in rows
    ]


async def test_whole_cvs_survey_in_a_dm_with_buttons_typing_and_a_modal(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        first = bot.last_post()
        assert "Customer Value Score" in texts(first)
        assert [b["text"]["text"] for b in buttons(first)] == ["Named", "Anonymous"]

        assert await bot.press("Named") == 200
        await bot.settled()
        consent_update = bot.api.to("chat.update")[-1]
        assert consent_update["ts"] == first["ts"]
        assert "Your answer: Named" in texts(consent_update)
        assert buttons(consent_update) == []

        question = bot.last_post()
        assert "[1/3] How satisfied are you with us overall?" in texts(question)
        assert [b["text"]["text"] for b in buttons(question)] == [str(n) for n in range(11)]
        assert await bot.press("8") == 200
        await bot.settled()

        # Typed in the DM instead of pressed: "9/10" counts as an answer.
        loyalty = bot.last_post()
        assert "keep buying" in texts(loyalty)
        assert (await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "9/10")).status == 200
        await bot.settled()
        assert "Your answer: 9" in texts(bot.api.to("chat.update")[-1])
        assert bot.api.to("chat.update")[-1]["ts"] == loyalty["ts"]

        assert await bot.press("5") == 200
        await bot.settled()
        improve = bot.last_post()
        assert "What could we do better?" in texts(improve)
        assert {"Answer", "Skip", "Back"} <= {b["text"]["text"] for b in buttons(improve)}

        assert await bot.press("Answer") == 200
        await bot.settled()
        view = bot.api.answers("views.open")[-1]["view"]
        answer = await bot.slack.submit_view(CUSTOMER, view, "Answer the phone sooner")
        assert answer.status == 200
        await bot.settled()

        assert "Thank you! Your answers have been saved." in texts(bot.last_post())
        stored = await _stored_scores(bot.app.storage)
        assert {r["question"]: r["score"] or r["text"] for r in stored} == {
            "improve": "Answer the phone sooner",
            "loyalty": 9,
            "recommendation": 5,
            "satisfaction": 8,
        }
        assert {r["anonymous"] for r in stored} == {0}


async def test_invalid_typed_answer_gets_a_reprompt_and_changes_nothing(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        await bot.press("Anonymous")
        await bot.settled()
        asked = bot.last_post()
        await bot.slack.dm(CUSTOMER, CUSTOMER_DM, "eleven")
        await bot.settled()
        reprompt = bot.last_post()
        assert "Please answer with a whole number from 0 to 10" in texts(reprompt)
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.answers == {}
        # The question's own buttons still work afterwards.
        await bot.slack.press(CUSTOMER, CUSTOMER_DM, asked, button(asked, "7"))
        await bot.settled()
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.answers == {"satisfaction": 7}


async def test_old_buttons_are_refused_and_change_nothing(db_url: str) -> None:
    async with running(db_url) as bot:
        await bot.app.service.begin("slack", CUSTOMER, CUSTOMER, "cvs")
        consent = bot.last_post()
        await bot.press("Named")
        await bot.settled()
        await bot.slack.press(CUSTOMER, CUSTOMER_DM, consent, button(consent, "Anonymous"))
        await bot.settled()
        assert "That button is no longer active" in texts(bot.last_post())
        stored = await bot.app.service.open_session("slack", CUSTOMER)
        assert stored is not None and stored.session.anonymous is False
