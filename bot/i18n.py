"""Translations and locale-aware formatting for every text a person reads.

Catalogs are `locales/<lang>/LC_MESSAGES/messages.mo`; where only the `.po` is present
(a source checkout), it is compiled in memory with Babel, so a catalog edit shows up on
the next start without a build step.
"""

from __future__ import annotations

import gettext
import io
import logging
from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

log = logging.getLogger(__name__)

LANGUAGES = ("nl", "en", "fr", "de")
"""Languages with a catalog, in the order they are offered."""

DOMAIN = "messages"


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The translations for a language; English message ids where a text has none."""
    if language not in LANGUAGES:
        return gettext.NullTranslations()
    folder = resources.files("locales") / language / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    if mo.is_file():
        return gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
    po = folder / f"{DOMAIN}.po"
    if po.is_file():
        catalog = read_po(io.BytesIO(po.read_bytes()), locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    if language != "en":
        log.warning("no catalog for language %r; texts will be in English", language)
    return gettext.NullTranslations()


def pick_language(*candidates: str | None, default: str) -> str:
    """The first candidate we have a catalog for ('nl-BE' counts as 'nl'), else `default`."""
    for candidate in candidates:
        if candidate:
            code = candidate.replace("_", "-").split("-")[0].lower()
            if code in LANGUAGES:
                return code
    return default


def language_name(language: str) -> str:
    """A language's name in that language, e.g. 'Nederlands'."""
    return Locale.parse(language).get_display_name(language) or language


def score(value: float, language: str) -> str:
    """A figure with one decimal, as the locale writes it: 7,4 (nl) or 7.4 (en)."""
    return format_decimal(value, format="#,##0.0", locale=language)


# CLDR writes Dutch percentages without a space; the Dutch language authority (Taalunie)
# writes "62 %", and so do the reports our Dutch users hand to management.
_PERCENT_PATTERNS = {"nl": "#,##0\u00a0%"}


def percent(share: float, language: str) -> str:
    """A share 0..1 as a whole percentage: 62 % (nl, fr, de) or 62% (en)."""
    return format_percent(share, format=_PERCENT_PATTERNS.get(language), locale=language)


def moment(value: datetime, language: str, timezone: str) -> str:
    """A date and time in the configured time zone, as the locale writes it."""
    return format_datetime(value, format="medium", tzinfo=ZoneInfo(timezone), locale=language)
