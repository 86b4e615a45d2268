"""Contacts over the API: list, read, create, replace and bulk import (CSV or JSON).

Every write goes through `bot.people.contacts` (`contacts_from_rows` / `parse_contacts` and
`import_contacts`), the very code behind `klantstem contacts import`: the same checks,
all or nothing, and importing the same data twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from bot.api.endpoint import Call, Endpoint, reply
from bot.api.errors import ApiError, not_found
from bot.api.request import CSV
from bot.imports.csvfile import CsvRejected, CsvRow, normalise_header
from bot.people.contacts import (
    CONTACT_COLUMNS,
    ImportSummary,
    Lined,
    contacts_from_rows,
    import_contacts,
    parse_contacts,
)
from bot.storage.records import Contact

_TEXT = {"type": "string", "maxLength": 500, "nullable": True}
CONTACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ref", "name"],
    "properties": {
        "ref": {"type": "string", "maxLength": 64, "description": "your stable id"},
        "name": {"type": "string", "maxLength": 200},
        "email": _TEXT,
        "language": {**_TEXT, "description": "nl, en, fr or de"},
        "timezone": {**_TEXT, "description": "e.g. Europe/Amsterdam"},
        "telegram": {**_TEXT, "description": "Telegram user id (a number)"},
        "slack": {**_TEXT, "description": "Slack user id, e.g. U024BE7LH"},
        "contact_person": {**_TEXT, "description": "ref of a staff member"},
        "attributes": {
            "type": "object",
            "additionalProperties": {"type": "string", "maxLength": 500},
            "description": "imported attributes for breakdowns, e.g. segment, region",
        },
    },
}
REPLACE_SCHEMA: dict[str, Any] = {
    **CONTACT_SCHEMA,
    "required": ["name"],
    "description": "a contact; `ref` may be left out (it is in the path)",
}
IMPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["contacts"],
    "properties": {
        "contacts": {"type": "array", "minItems": 1, "maxItems": 100_000, "items": CONTACT_SCHEMA}
    },
}
SUMMARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {k: {"type": "integer"} for k in ("added", "updated", "unchanged")},
}
_LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"contacts": {"type": "array", "items": CONTACT_SCHEMA}},
}
_OUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"contact": CONTACT_SCHEMA, "change": {"type": "string"}},
}


def contact_json(contact: Contact) -> dict[str, Any]:
    """A contact as the API shows it."""
    return {
        "ref": contact.ref,
        "name": contact.name,
        "email": contact.email,
        "language": contact.language,
        "timezone": contact.timezone,
        "telegram": contact.telegram,
        "slack": contact.slack,
        "contact_person": contact.contact_person,
        "attributes": dict(contact.attributes),
    }


def json_contacts(items: Sequence[dict[str, Any]], prefix: str) -> list[Lined[Contact]]:
    """Validate JSON contacts through the CSV import's checks; the 422 names the items
    as `{prefix}[i]` (or `body` when `prefix` is empty: a single contact)."""
    header = ["ref", "name"]
    rows = []
    for index, item in enumerate(items):
        cells = {k: str(v) for k, v in item.items() if k != "attributes" and v is not None}
        for name, value in (item.get("attributes") or {}).items():
            key = normalise_header(name)
            if key in CONTACT_COLUMNS:
                where = f"{_item(prefix, index)}.attributes.{name}".removeprefix("body.")
                raise ApiError(
                    422,
                    "invalid_field",
                    f"{where} is a contact field, not an attribute",
                    field=where,
                )
            cells[key] = value
        header += [k for k in cells if k not in header]
        rows.append(CsvRow(index + 2, cells))  # line 1 is the header, as in a file
    try:
        return contacts_from_rows(header, rows)
    except CsvRejected as exc:
        raise _rejected(exc, prefix) from None


async def list_contacts(call: Call) -> Response:
    """Every contact."""
    async with call.app.storage.transaction(write=False) as tx:
        contacts = await tx.contacts()
    return reply({"contacts": [contact_json(c) for c in contacts]})


async def get_contact(call: Call) -> Response:
    """One contact by ref."""
    found = await _find(call, call.params["ref"])
    if found is None:
        raise not_found(f"contact {call.params['ref']!r}", "ref")
    return reply({"contact": contact_json(found)})


async def create_contact(call: Call) -> Response:
    """Add a contact; 409 when its ref is taken."""
    if await _find(call, call.body["ref"]) is not None:
        raise ApiError(
            409, "exists", f"ref {call.body['ref']!r} already exists; use PUT", field="ref"
        )
    return await _save_one(call, call.body)


async def replace_contact(call: Call) -> Response:
    """Create or replace the contact at this ref (fields left out are cleared)."""
    ref = call.params["ref"]
    if call.body.get("ref", ref) != ref:
        raise ApiError(422, "invalid_field", "ref differs from the ref in the path", field="ref")
    return await _save_one(call, {**call.body, "ref": ref})


async def import_contacts_api(call: Call) -> Response:
    """Bulk import, all or nothing: a contacts CSV (as for the CLI) or JSON."""
    prefix = None if call.media == CSV else "contacts"
    if prefix is None:
        try:
            records = parse_contacts(call.body)
        except CsvRejected as exc:
            raise _rejected(exc, None) from None
    else:
        records = json_contacts(call.body["contacts"], prefix)
    summary = await _apply(call, records, "contacts.import", prefix)
    return reply(_summary(summary))


async def _save_one(call: Call, item: dict[str, Any]) -> Response:
    records = json_contacts([item], "")
    summary = await _apply(call, records, "contacts.save", "")
    saved = await _find(call, item["ref"])
    assert saved is not None
    change = "added" if summary.added else "updated" if summary.updated else "unchanged"
    return reply({"contact": contact_json(saved), "change": change}, 201 if summary.added else 200)


async def _apply(
    call: Call, records: list[Lined[Contact]], action: str, prefix: str | None
) -> ImportSummary:
    now = call.app.service.clock()
    try:
        async with call.app.storage.transaction() as tx:
            summary = await import_contacts(tx, records, now)
            await tx.audit(call.actor, action, _summary(summary), now)
    except CsvRejected as exc:
        raise _rejected(exc, prefix) from None
    return summary


async def _find(call: Call, ref: str) -> Contact | None:
    async with call.app.storage.transaction(write=False) as tx:
        return next((c for c in await tx.contacts() if c.ref == ref), None)


def _summary(summary: ImportSummary) -> dict[str, int]:
    return {"added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged}


def _item(prefix: str, index: int) -> str:
    return f"{prefix}[{index}]" if prefix else "body"


def _rejected(exc: CsvRejected, prefix: str | None) -> ApiError:
    """The import's problems: by line for CSV; for JSON, line n is item n - 2 (line 1
    being the header, whose only possible problem is an attribute name)."""
    problems: list[dict[str, Any]] = []
    for line, reason in exc.problems:
        if prefix is None:
            problems.append({"field": "body", "line": line, "reason": reason})
        elif line >= 2:
            problems.append({"field": _item(prefix, line - 2), "reason": reason})
        else:
            problems.append(
                {"field": f"{prefix}[].attributes" if prefix else "attributes", "reason": reason}
            )
    first = problems[0]
    where = f"line {first['line']}" if "line" in first else first["field"]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return ApiError(
        422,
        "rejected",
        f"nothing was imported; {where}: {first['reason']}{more}",
        field=first["field"],
        problems=problems,
    )


ENDPOINTS = (
    Endpoint(
        "GET", "/contacts", "read", list_contacts, "List contacts", (200, "contacts", _LIST_SCHEMA)
    ),
    Endpoint(
        "GET",
        "/contacts/{ref}",
        "read",
        get_contact,
        "One contact",
        (200, "the contact", _OUT_SCHEMA),
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/contacts",
        "write",
        create_contact,
        "Add a contact",
        (201, "added", _OUT_SCHEMA),
        body=CONTACT_SCHEMA,
        errors=(409,),
    ),
    Endpoint(
        "PUT",
        "/contacts/{ref}",
        "write",
        replace_contact,
        "Create or replace a contact",
        (200, "updated or unchanged", _OUT_SCHEMA),
        body=REPLACE_SCHEMA,
        also=((201, "added"),),
    ),
    Endpoint(
        "POST",
        "/contacts/import",
        "write",
        import_contacts_api,
        "Import contacts, all or nothing (the CSV of `klantstem contacts import`, or JSON)",
        (200, "what changed", SUMMARY_SCHEMA),
        body=IMPORT_SCHEMA,
        csv=True,
    ),
)
