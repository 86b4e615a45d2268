"""Request bodies are checked against the same JSON Schema the OpenAPI document publishes.

Only the keywords the API's schemas use are understood: type (one name, with OpenAPI's
`nullable`), properties, required, additionalProperties, enum, minLength, maxLength,
pattern, minimum, maximum, items, minItems, maxItems and the `date-time` format. The
first problem found is raised as a 422 naming the field by its path (`contacts[2].email`).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any

from bot.api.errors import invalid

Schema = dict[str, Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def validate(value: Any, schema: Schema, path: str = "body") -> None:
    """Raise a 422 `ApiError` naming the first field of `value` that `schema` refuses."""
    if value is None:
        if schema.get("nullable"):
            return
        raise invalid(path, "must not be null")
    kind = schema.get("type")
    if kind is not None:
        _check_type(value, kind, path)
    if "enum" in schema and value not in schema["enum"]:
        raise invalid(path, "must be one of " + ", ".join(map(str, schema["enum"])))
    if isinstance(value, str):
        _check_string(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path)
    elif isinstance(value, list):
        _check_array(value, schema, path)
    elif isinstance(value, dict):
        _check_object(value, schema, path)


def _check_type(value: Any, kind: str, path: str) -> None:
    is_bool = isinstance(value, bool)
    if not isinstance(value, _TYPES[kind]) or (is_bool and kind != "boolean"):
        article = "an" if kind[0] in "aeiou" else "a"
        raise invalid(path, f"must be {article} {kind}")


def _check_string(value: str, schema: Schema, path: str) -> None:
    if len(value) < schema.get("minLength", 0):
        raise invalid(path, "is required" if not value else "is too short")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise invalid(path, f"must be at most {schema['maxLength']} characters")
    if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
        raise invalid(path, f"must match {schema['pattern']}")
    if schema.get("format") == "date-time" and not _is_moment(value):
        raise invalid(path, "must be a date and time such as 2026-11-02T09:00:00Z")


def _check_number(value: float, schema: Schema, path: str) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        raise invalid(path, f"must be at least {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise invalid(path, f"must be at most {schema['maximum']}")


def _check_array(value: list[Any], schema: Schema, path: str) -> None:
    if len(value) < schema.get("minItems", 0):
        raise invalid(path, f"must have at least {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise invalid(path, f"must have at most {schema['maxItems']} items")
    for index, item in enumerate(value):
        validate(item, schema.get("items", {}), f"{path}[{index}]")


def _check_object(value: dict[str, Any], schema: Schema, path: str) -> None:
    properties: dict[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            raise invalid(_join(path, name), "is required")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            validate(item, properties[name], _join(path, name))
        elif extra is False:
            raise invalid(_join(path, name), "is not a known field")
        elif isinstance(extra, dict):
            validate(item, extra, _join(path, name))


def _join(path: str, name: str) -> str:
    return name if path == "body" else f"{path}.{name}"


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_moment(text: str) -> bool:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.tzinfo is not None
