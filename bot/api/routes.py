"""Every API endpoint, in the order the OpenAPI document lists them."""

from __future__ import annotations

from bot.api import contacts, reports
from bot.api.endpoint import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (*contacts.ENDPOINTS, *reports.ENDPOINTS)
