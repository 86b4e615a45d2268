"""`/flags` in chat, for admins and staff, and the buttons on flag alerts.

    /flags [open|overdue|all|actions]   list
    /flags show REF                     details and full history
    /flags forward REF                  send to the contact person
    /flags take REF                     own the follow-up yourself
    /flags done REF what was done       close a flag or an action item (G-F3, G-F4)
    /flags note REF text                add to the history

Buttons (`flag:fwd:<id>`, `flag:take:<id>`, `flag:done:<id>`) work for staff members and
admins; anyone else, and a value this bot did not make, is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot import i18n
from bot.admin.commands import AdminRequest
from bot.delivery import ActionPress, Notice
from bot.flags.action_plan import ActionPlan
from bot.flags.deadlines import FollowUp
from bot.flags.flags import FlagError, Flags, actor_of
from bot.flags.listing import flag_line, history_lines, item_line
from bot.flags.notices import alert
from bot.storage.flags_sql import Flag, FlagStatus
from bot.storage.records import StaffMember


class FlagChat:
    """The `/flags` command and the flag buttons."""

    def __init__(
        self,
        flags: Flags,
        followup: FollowUp,
        plan: ActionPlan,
        admin_ids: Callable[[str], Collection[str]],
        kick: Callable[[], None],
    ) -> None:
        self.flags = flags
        self.followup = followup
        self.plan = plan
        self.service = flags.service
        self.admin_ids = admin_ids
        self.kick = kick

    async def _who(self, channel: str, user: str) -> tuple[str, StaffMember | None]:
        async with self.service.storage.transaction(write=False) as tx:
            return await actor_of(tx, channel, user)

    async def run(self, request: AdminRequest) -> Notice:
        """Dispatch `/flags ...`; bad input gets the reason and changes nothing."""
        _ = i18n.translator(request.language).gettext
        action, *rest = request.args or ("open",)
        actor, member = await self._who(request.channel, request.user)
        try:
            if action in {"open", "overdue", "all"}:
                return await self._list(action, request.language)
            if action == "actions":
                return await self._actions(request.language)
            if not rest:
                raise FlagError(_("give the flag reference"))
            ref, words = rest[0], " ".join(rest[1:])
            if action == "show":
                return await self._show(ref, request.language)
            if action == "done":
                return await self._done(ref, actor, words, request.language)
            if action == "note":
                flag = await self.flags.find(ref)
                await self.flags.add_note(flag.id, actor, words)
                return Notice(_("Note added to flag {ref}.").format(ref=flag.ref))
            if action == "forward":
                flag = await self.flags.find(ref)
                person = await self.flags.request_forward(flag.id, actor)
                self.kick()
                return Notice(
                    _("Forwarding flag {ref} to {name}.").format(ref=flag.ref, name=person.name)
                )
            if action == "take":
                if member is None:
                    raise FlagError(_("only staff members can take a flag"))
                flag = await self.flags.take((await self.flags.find(ref)).id, member, actor)
                return Notice(_("You own flag {ref} now.").format(ref=flag.ref))
        except FlagError as exc:
            return Notice(_("Nothing was changed: {reason}").format(reason=_(str(exc))))
        return Notice(
            _(
                "Use: /flags [open|overdue|all|actions], /flags show REF, /flags forward REF, "
                "/flags take REF, /flags done REF <what was done>, /flags note REF <text>"
            )
        )

    async def _list(self, which: str, language: str) -> Notice:
        _ = i18n.translator(language).gettext
        flags = await self.flags.listing(which)
        if not flags:
            return Notice(_("No flags to show."))
        now = self.service.clock()
        async with self.service.storage.transaction(write=False) as tx:
            lines = [await flag_line(tx, f, self.service, language, now) for f in flags]
        return Notice("\n".join(lines))

    async def _actions(self, language: str) -> Notice:
        _ = i18n.translator(language).gettext
        async with self.service.storage.transaction(write=False) as tx:
            items = await tx.action_items()
            owners = {m.id: m.name for m in await tx.staff()}
        if not items:
            return Notice(_("No action items yet."))
        now, tz = self.service.clock(), self.service.config.timezone
        return Notice(
            "\n".join(
                item_line(i, owners.get(i.owner_staff_id, "-"), language, tz, now) for i in items
            )
        )

    async def _show(self, ref: str, language: str) -> Notice:
        flag = await self.flags.find(ref)
        tz = self.service.config.timezone
        async with self.service.storage.transaction(write=False) as tx:
            view = await self.followup.view(tx, flag, language)
            events = await tx.flag_events(flag.id)
        body = alert(view, language, tz)
        return Notice(
            "\n".join([body.text, "", *history_lines(events, language, tz)]), body.actions
        )

    async def _done(self, ref: str, actor: str, note: str, language: str) -> Notice:
        _ = i18n.translator(language).gettext
        try:
            flag = await self.flags.find(ref)
        except FlagError:
            item = await self.plan.find(ref)
            await self.plan.close(item.id, actor, note)
            return Notice(_("Action item {ref} is closed.").format(ref=item.ref))
        await self.flags.close(flag.id, actor, note)
        return Notice(_("Flag {ref} is closed. Thank you for following up.").format(ref=flag.ref))

    async def press(self, press: ActionPress) -> str:
        """A button on a flag notice was pressed; returns what the presser is told."""
        actor, member = await self._who(press.channel, press.user)
        async with self.service.storage.transaction(write=False) as tx:
            identity = await tx.identity(press.channel, press.user)
        language = i18n.pick_language(
            member.language if member else None,
            identity.language if identity else None,
            default=self.service.config.default_language,
        )
        _ = i18n.translator(language).gettext
        if member is None and press.user not in self.admin_ids(press.channel):
            return _("Only staff members can act on flags.")
        parts = press.value.split(":")
        if len(parts) != 3 or parts[1] not in {"fwd", "take", "done"}:
            return _("This button is not valid.")
        verb, flag_id = parts[1], parts[2]
        try:
            flag = await self._flag(flag_id)
            if verb == "fwd":
                person = await self.flags.request_forward(flag.id, actor)
                self.kick()
                return _("Forwarding flag {ref} to {name}.").format(ref=flag.ref, name=person.name)
            if verb == "take":
                if member is None:
                    raise FlagError(_("only staff members can take a flag"))
                await self.flags.take(flag.id, member, actor)
                return _(
                    "You own flag {ref} now. When you have followed up, send: "
                    "/flags done {ref} <what you did>"
                ).format(ref=flag.ref)
            if flag.status == FlagStatus.CLOSED:
                raise FlagError(_("this flag was closed already"))
            return _("To close flag {ref}, send: /flags done {ref} <what you did>").format(
                ref=flag.ref
            )
        except FlagError as exc:
            return _("Nothing was changed: {reason}").format(reason=_(str(exc)))

    async def _flag(self, flag_id: str) -> Flag:
        async with self.service.storage.transaction(write=False) as tx:
            flag = await tx.flag(flag_id)
        if flag is None:
            raise FlagError("this flag no longer exists")
        return flag
