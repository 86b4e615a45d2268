"""Who a wave goes to: all contacts, contacts with given imported attributes, or staff.

Written the same way everywhere (CLI, chat command, scheduled waves in config):
`segment=retail region=north` keeps the contacts whose attributes match every pair.
Employee surveys (MTO, mirror) always go to all staff and take no filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class PopulationError(ValueError):
    """A filter that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Population:
    """The contacts (optionally filtered) or the staff."""

    staff: bool = False
    filters: Mapping[str, str] = field(default_factory=dict)

    def matches(self, attributes: Mapping[str, str]) -> bool:
        """Whether a contact with these imported attributes belongs to it."""
        return all(
            attributes.get(k, "").casefold() == v.casefold() for k, v in self.filters.items()
        )

    def to_dict(self) -> dict[str, object]:
        """As stored in `waves.population`."""
        return {"staff": self.staff, "filters": dict(sorted(self.filters.items()))}

    def describe(self) -> str:
        """`segment=retail region=north`, `all contacts` or `staff`."""
        if self.staff:
            return "staff"
        return " ".join(f"{k}={v}" for k, v in sorted(self.filters.items())) or "all contacts"


def parse_filters(words: Iterable[str]) -> dict[str, str]:
    """`["segment=retail", "region=north"]` -> {"segment": "retail", "region": "north"}."""
    filters: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise PopulationError(f"{word!r} is not a filter: write attribute=value")
        if not _KEY.match(key):
            raise PopulationError(f"{key!r} is not an attribute name (letters, digits, _)")
        if key in filters:
            raise PopulationError(f"attribute {key!r} is given twice")
        filters[key] = value
    return filters
