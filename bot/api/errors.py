"""API errors: a status, a stable code, an English message naming the field."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """Ends a request with a JSON error; `extra` adds members such as `problems`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        """The error as the client sees it."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        error.update(self.extra)
        return JSONResponse({"error": error}, status_code=self.status, headers=self.headers)


def invalid(field: str, reason: str) -> ApiError:
    """422 for one field: `reason` reads after the field name ("is required")."""
    return ApiError(422, "invalid_field", f"{field} {reason}", field=field)


def not_found(what: str, field: str) -> ApiError:
    """404 for something named in the path."""
    return ApiError(404, "not_found", f"{what} not found", field=field)


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "problems": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}
"""The OpenAPI schema of every error body."""
