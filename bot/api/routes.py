"""Every API endpoint, in the order the OpenAPI document lists them."""

from __future__ import annotations

from bot.api import contacts, flags, interactions, reports, waves
from bot.api.endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *interactions.ENDPOINTS,
    *contacts.ENDPOINTS,
    *waves.ENDPOINTS,
    *flags.ENDPOINTS,
    *reports.ENDPOINTS,
)
