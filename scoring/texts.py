"""Marker for English texts that gettext extraction must find."""


def N_(s: str) -> str:
    """Return s unchanged; marks it for translation at the place it is shown."""
    return s
