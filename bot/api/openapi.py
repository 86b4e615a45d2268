"""The OpenAPI 3.0 document, built from the endpoint table the router uses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.api import idempotency
from bot.api.endpoint import PREFIX, Endpoint
from bot.api.errors import ERROR_SCHEMA

_ERRORS = {
    401: "missing, unknown or revoked bearer token",
    403: "the token's scope does not allow this",
    404: "not found",
    409: "conflict, or a request with the same Idempotency-Key has not finished",
    413: "body larger than KLANTSTEM_API_MAX_BODY_BYTES",
    415: "unsupported Content-Type",
    422: "malformed or invalid body or header; `field` names the problem",
}
_PATH_PARAM = re.compile(r"\{(\w+)\}")
_IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "A key of your own making (1 to 255 visible ASCII characters, e.g. a "
    "UUID) for a request you may retry: the same key with the same request within 24 hours "
    "gets the first answer again (status and body, with `Idempotent-Replayed: true`) and "
    "acts no more; with another request it gets 422 `idempotency_key_reused`; while the "
    "first is still running, 409 `in_progress`. Keys belong to the token that sent them.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def document(endpoints: Iterable[Endpoint], version: str) -> dict[str, Any]:
    """The OpenAPI document of the API plus `/healthz` and `/metrics`."""
    paths: dict[str, dict[str, Any]] = {
        "/healthz": {"get": _plain("Liveness and database reachability", "application/json")},
        "/metrics": {"get": _plain("Counters and gauges, Prometheus text format", "text/plain")},
    }
    for endpoint in endpoints:
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Klantstem API",
            "version": version,
            "description": "Contacts, interactions, waves, flags and report figures. "
            "Send `Authorization: Bearer <token>` (`klantstem api-token create`).",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    status, description, schema = endpoint.ok
    errors = {401, 403, *endpoint.errors}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(endpoint.path)
    ] + [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in endpoint.query.items()
    ]
    if endpoint.path.count("{") or endpoint.query:
        errors.add(422)
    if endpoint.method in idempotency.METHODS:
        parameters.append(_IDEMPOTENCY_KEY)
        errors |= {409, 422}
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "operationId": f"{endpoint.method.lower()}_{_slug(endpoint.path)}",
        "security": [{"bearer": []}],
        "parameters": parameters,
        "responses": {str(status): _json(description, schema)},
    }
    for code, meaning in endpoint.also:
        operation["responses"][str(code)] = _json(meaning, schema)
    if endpoint.body is not None:
        content: dict[str, Any] = {"application/json": {"schema": endpoint.body}}
        if endpoint.csv:
            content["text/csv"] = {"schema": {"type": "string"}}
        operation["requestBody"] = {"required": True, "content": content}
        errors |= {413, 415, 422}
    for code in sorted(errors):
        operation["responses"][str(code)] = _json(
            _ERRORS[code], {"$ref": "#/components/schemas/Error"}
        )
    return operation


def _plain(summary: str, media: str) -> dict[str, Any]:
    body = {"type": "object"} if media == "application/json" else {"type": "string"}
    return {
        "summary": summary,
        "security": [],
        "responses": {
            "200": {"description": "ok", "content": {media: {"schema": body}}},
            "503": {"description": "the database cannot be reached"},
        },
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
