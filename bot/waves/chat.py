"""`/wave` for admins in chat: start, status, close and list waves.

/wave start kto segment=retail --closes 2026-12-31 [again]
/wave status [WAVE]
/wave close WAVE
/wave list
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from bot import i18n
from bot.admin.commands import AdminRequest
from bot.config.settings import Config
from bot.delivery import Notice
from bot.flags.listing import wave_lines
from bot.people.population import PopulationError, parse_filters
from bot.storage.waves_sql import Wave
from bot.waves.waves import WaveError, Waves, parse_closing


def repeated(wave: Wave, language: str, config: Config, again: str) -> str:
    """Why a wave of the same survey and filters is not started again so soon; `again` is
    how to insist (`--again` on the command line, `again` in chat)."""
    _ = i18n.translator(language).gettext
    filters = cast(dict[str, str], wave.population.get("filters") or {})
    if wave.population.get("staff"):
        who = _("all staff")
    elif filters:
        who = " ".join(f"{k}={v}" for k, v in sorted(filters.items()))
    else:
        who = _("every contact")
    minutes = config.wave_repeat.total_seconds() / 60
    return _(
        "wave {id} of {survey} for {who} was started at {when}, less than {minutes} minutes "
        "ago (KLANTSTEM_WAVE_REPEAT_MINUTES); to start it again anyway, add {again}"
    ).format(
        id=wave.id,
        survey=wave.survey_id,
        who=who,
        when=i18n.moment(wave.opened_at, language, config.timezone),
        minutes=f"{minutes:g}",
        again=again,
    )


def split_start(args: Sequence[str]) -> tuple[str, list[str], str | None]:
    """`SURVEY [key=value ...] [--closes DATE]` -> survey, filter words, closing text."""
    words = list(args)
    closes = None
    if "--closes" in words:
        at = words.index("--closes")
        if at + 1 >= len(words):
            raise WaveError("--closes needs a date such as 2026-12-31")
        closes = words[at + 1]
        del words[at : at + 2]
    if not words:
        raise WaveError("name the survey: /wave start SURVEY [key=value ...] [--closes DATE]")
    return words[0], words[1:], closes


class WaveChat:
    """The `/wave` admin command."""

    def __init__(self, waves: Waves, kick: Callable[[], None]) -> None:
        self.waves = waves
        self.kick = kick

    async def run(self, request: AdminRequest) -> Notice:
        """Dispatch `/wave ACTION ...`; bad input gets the reason and changes nothing."""
        _ = i18n.translator(request.language).gettext
        action, *rest = request.args or ("status",)
        actor = f"{request.channel}:{request.user}"
        try:
            if action == "start":
                return await self._start(rest, actor, request.language)
            if action == "status":
                return await self._status(rest[0] if rest else None, request.language)
            if action == "close":
                if not rest:
                    raise WaveError("name the wave to close: /wave close WAVE")
                wave = await self.waves.close((await self.waves.resolve(rest[0])).id, actor)
                return Notice(_("Wave {id} is closed.").format(id=wave.id))
            if action == "list":
                return await self._list(request.language)
        except (WaveError, PopulationError) as exc:
            return Notice(_("Nothing was changed: {reason}").format(reason=exc))
        return Notice(
            _(
                "Use: /wave start SURVEY [key=value ...] [--closes DATE], /wave status "
                "[WAVE], /wave close WAVE, /wave list"
            )
        )

    async def _start(self, args: Sequence[str], actor: str, language: str) -> Notice:
        _ = i18n.translator(language).gettext
        again = bool(args) and args[-1] == "again"
        survey, words, closes_text = split_start(args[:-1] if again else args)
        config = self.waves.config
        closes = (
            parse_closing(closes_text, config.timezone, self.waves.service.clock())
            if closes_text
            else None
        )
        filters = parse_filters(words)
        twin = None if again else await self.waves.started_like(survey, filters)
        if twin is not None:
            return Notice(
                _("Nothing was changed: {reason}").format(
                    reason=repeated(twin, language, config, "again")
                )
            )
        started = await self.waves.start(survey, filters, closes, actor)
        assert started is not None
        self.kick()
        return Notice(
            i18n.translator(language)
            .ngettext(
                "Wave {id} started: {n} invitation goes out now.",
                "Wave {id} started: {n} invitations go out now.",
                started.invited,
            )
            .format(id=started.wave.id, n=started.invited)
            + "\n"
            + _("Follow it with /wave status {id}").format(id=started.wave.id[:8])
        )

    async def _status(self, ref: str | None, language: str) -> Notice:
        wave = await self.waves.resolve(ref)
        progress = await self.waves.progress(wave.id)
        lines = wave_lines(
            wave, progress, language, self.waves.config.timezone, self.waves.service.clock()
        )
        return Notice("\n".join(lines))

    async def _list(self, language: str) -> Notice:
        _ = i18n.translator(language).gettext
        async with self.waves.service.storage.transaction(write=False) as tx:
            waves = await tx.recent_waves(10)
        if not waves:
            return Notice(_("There are no waves yet."))
        tz = self.waves.config.timezone
        return Notice(
            "\n".join(
                f"{w.id[:8]}  {w.label}  {i18n.moment(w.opened_at, language, tz)}"
                + ("  " + _("closed") if w.closed_at else "")
                for w in waves
            )
        )
