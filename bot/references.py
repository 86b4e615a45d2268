"""Finding a record by the first characters of its id, as people type them in chat or CLI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def only_match(found: Sequence[T], typed: str, noun: str, error: type[Exception]) -> T:
    """The one record whose id starts with `typed`, else `error` saying none or how many."""
    if not found:
        raise error(f"no {noun} {typed!r}")
    if len(found) > 1:
        raise error(f"{typed!r} matches {len(found)} {noun}s; give more characters")
    return found[0]
