"""Translatable texts: message ids for gettext, or per-language texts from a survey file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


def N_(message: str) -> str:
    """Mark a string for extraction into the message catalog without translating it now."""
    return message


class Translator(Protocol):
    """The part of `gettext.NullTranslations` the engine needs."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


@dataclass(frozen=True)
class Text:
    """A text a person reads.

    `default` is an English gettext message id. A custom survey file may carry its own
    wording per language in `by_lang`; that wins over the catalog for that language.
    """

    default: str
    by_lang: Mapping[str, str] = field(default_factory=dict)

    def render(self, language: str, translator: Translator) -> str:
        """The text in `language`, falling back to the catalog, then to the default."""
        own = self.by_lang.get(language)
        if own:
            return own
        if self.by_lang:
            # A survey with its own texts is not in the catalog; its default is its first language.
            return self.default
        return translator.gettext(self.default)

    def matches(self, typed: str, language: str, translator: Translator) -> bool:
        """Whether `typed` is this text in the respondent's language or in English, any case."""
        wanted = typed.strip().casefold()
        return wanted in {
            self.render(language, translator).strip().casefold(),
            self.default.strip().casefold(),
        }
