"""Admin chat commands (`/wave ...`, `/report`, `/flags`), shared by every chat channel.

A channel parses `/wave start kto segment=retail` into `AdminRequest(command="wave",
args=["start", "kto", "segment=retail"])` and calls `AdminCommands.run`. Only admins may
run them: Telegram or Slack user ids listed in config, or staff members imported with
`admin=yes`. Anyone else gets a polite refusal and the attempt goes to the audit log.
Each area registers its own command handlers (waves, reports, flags).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

from bot import i18n
from bot.delivery import Notice
from bot.storage import Storage
from bot.timeutil import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminRequest:
    """A command typed in a chat by someone."""

    channel: str
    user: str
    address: str
    command: str
    args: tuple[str, ...]
    language: str


Handler = Callable[[AdminRequest], Awaitable[Notice]]


@dataclass
class AdminCommands:
    """The registry of admin commands and the admin check in front of them."""

    storage: Storage
    admin_ids: dict[str, Collection[str]] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)
    staff_commands: set[str] = field(default_factory=set)

    def register(self, command: str, handler: Handler, *, staff: bool = False) -> None:
        """Make `/<command>` available to admins (and, with `staff`, to every staff member,
        e.g. `/flags` for the contact person who follows a flag up)."""
        self.handlers[command] = handler
        if staff:
            self.staff_commands.add(command)

    async def is_staff(self, channel: str, user: str) -> bool:
        """A platform user linked to a staff member."""
        async with self.storage.transaction(write=False) as tx:
            identity = await tx.identity(channel, user)
        return identity is not None and identity.staff_id is not None

    async def is_admin(self, channel: str, user: str) -> bool:
        """Listed in config for this channel, or a staff member with admin rights."""
        if user in self.admin_ids.get(channel, ()):
            return True
        async with self.storage.transaction(write=False) as tx:
            identity = await tx.identity(channel, user)
            if identity is None or identity.staff_id is None:
                return False
            return any(m.is_admin for m in await tx.staff() if m.id == identity.staff_id)

    async def run(self, request: AdminRequest) -> Notice:
        """Run a command for an admin; refuse (and audit) anyone else or an unknown command."""
        _ = i18n.translator(request.language).gettext
        allowed = await self.is_admin(request.channel, request.user) or (
            request.command in self.staff_commands
            and await self.is_staff(request.channel, request.user)
        )
        async with self.storage.transaction() as tx:
            await tx.audit(
                f"{request.channel}:{request.user}",
                "admin.command" if allowed else "admin.refused",
                {"command": request.command, "args": list(request.args)},
                utc_now(),
            )
        if not allowed:
            log.warning(
                "refused /%s from non-admin %s:%s", request.command, request.channel, request.user
            )
            return Notice(_("Sorry, only administrators can use this command."))
        handler = self.handlers.get(request.command)
        if handler is None:
            return Notice(
                _("Unknown command. Available: {commands}.").format(
                    commands=", ".join(f"/{c}" for c in sorted(self.handlers)) or "-"
                )
            )
        return await handler(request)
