"""The HTTP API under `/api/v1`: bearer-token auth, request validation, the handlers and
the OpenAPI document, all from one table of endpoints (`bot.api.routes.ENDPOINTS`).

Errors are JSON: `{"error": {"code": ..., "message": ..., "field": ...}}` with a stable
machine-readable `code` and an English `message` that names the offending `field`.
"""
