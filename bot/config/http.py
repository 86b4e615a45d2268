"""Parsers for the web server's settings (apart, to keep `bot.config.settings` short)."""

from __future__ import annotations

import ipaddress

from bot.config.numbers import whole


def host(raw: str) -> str:
    """An IP address to listen on (0.0.0.0 for every interface, as in a container)."""
    text = raw.strip()
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if text != "localhost":
            raise ValueError("must be an IP address such as 127.0.0.1 or 0.0.0.0") from None
    return text


def port(raw: str) -> int:
    """A TCP port, 1-65535 (0 picks a free one, which the log then names)."""
    value = whole(raw)
    if not 0 <= value <= 65535:
        raise ValueError("must be a port number from 1 to 65535")
    return value


def byte_size(raw: str) -> int:
    """A number of bytes, at least 1 KiB."""
    value = whole(raw)
    if value < 1024:
        raise ValueError("must be at least 1024 bytes")
    return value
