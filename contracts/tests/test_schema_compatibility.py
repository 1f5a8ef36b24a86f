"""The compatibility rules: new optional properties only; anything else a subscriber sees breaks."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tessera_events.compat import check_compatible

Schema = dict[str, Any]
Edit = Callable[[Schema], object]

PUBLISHED: Schema = {
    "$defs": {
        "Currency": {"title": "Currency", "type": "string", "enum": ["CHF", "EUR"]},
        "Money": {
            "title": "Money",
            "type": "object",
            "properties": {"amount_minor": {"type": "integer"}, "currency": {"$ref": "#/$defs/Currency"}},
            "required": ["amount_minor", "currency"],
        },
        "Line": {
            "type": "object",
            "properties": {"name": {"type": "string", "maxLength": 80}, "price": {"$ref": "#/$defs/Money"}},
            "required": ["name", "price"],
        },
        "Data": {
            "type": "object",
            "properties": {
                "client_id": {"type": "string", "format": "uuid"},
                "country": {"type": "string", "minLength": 2, "maxLength": 2},
                "relationship_id": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]},
                "note": {"type": "string", "default": ""},
                "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["client_id", "country", "relationship_id", "lines", "tags"],
        },
    },
    "type": "object",
    "properties": {
        "type": {"type": "string", "const": "tessera.test.Thing.v1"},
        "data": {"$ref": "#/$defs/Data"},
    },
    "required": ["type", "data"],
}


def _defs(schema: Schema, name: str) -> Schema:
    definition: Schema = schema["$defs"][name]
    return definition


def _properties(schema: Schema, name: str) -> Schema:
    properties: Schema = _defs(schema, name)["properties"]
    return properties


def _edited(*edits: Edit) -> Schema:
    schema = copy.deepcopy(PUBLISHED)
    for edit in edits:
        edit(schema)
    return schema


def _rename_money(schema: Schema) -> None:
    schema["$defs"]["Amount"] = schema["$defs"].pop("Money")
    _properties(schema, "Line")["price"] = {"$ref": "#/$defs/Amount"}


def _close_data(schema: Schema) -> None:
    _defs(schema, "Data")["additionalProperties"] = False


def _add_extra(schema: Schema) -> None:
    _properties(schema, "Data")["extra"] = {"type": "string"}


COMPATIBLE: list[tuple[str, Schema, Schema]] = [
    ("nothing changed", PUBLISHED, _edited()),
    ("a new optional property", PUBLISHED, _edited(_add_extra)),
    (
        "a new optional property of a nested object",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Money").update(note={"type": "string"})),
    ),
    (
        "a new optional property of array items",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Line").update(sku={"type": "string"})),
    ),
    (
        "titles, descriptions and defaults changed",
        PUBLISHED,
        _edited(
            lambda s: _defs(s, "Data").update(description="What happened."),
            lambda s: _defs(s, "Currency").update(title="ISO currency"),
            lambda s: _properties(s, "Data")["note"].update(default="n/a"),
        ),
    ),
    ("enum values reordered", PUBLISHED, _edited(lambda s: _defs(s, "Currency").update(enum=["EUR", "CHF"]))),
    ("additionalProperties loosened", _edited(_close_data), PUBLISHED),
    ("a $defs entry renamed, its content the same", PUBLISHED, _edited(_rename_money)),
]

BREAKING: list[tuple[str, Schema, Schema, str]] = [
    (
        "a new required property",
        PUBLISHED,
        _edited(_add_extra, lambda s: _defs(s, "Data")["required"].append("extra")),
        "data.extra: new required property",
    ),
    (
        "a property removed",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Data").pop("note")),
        "data.note: property removed",
    ),
    (
        "a property of array items removed",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Line").pop("name")),
        "data.lines[].name: property removed",
    ),
    (
        "a type changed in a nested object",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Money").update(amount_minor={"type": "string"})),
        "data.lines[].price.amount_minor: type changed from integer to string",
    ),
    (
        "a format changed",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Data")["client_id"].update(format="email")),
        "data.client_id: format changed from 'uuid' to 'email'",
    ),
    (
        "a format added",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Data")["note"].update(format="date")),
        "data.note: format changed from (none) to 'date'",
    ),
    (
        "an enum value added",
        PUBLISHED,
        _edited(lambda s: _defs(s, "Currency")["enum"].append("USD")),
        "data.lines[].price.currency: enum values added ['USD']",
    ),
    (
        "an enum value removed",
        PUBLISHED,
        _edited(lambda s: _defs(s, "Currency")["enum"].remove("EUR")),
        "data.lines[].price.currency: enum values removed ['EUR']",
    ),
    (
        "a const changed",
        PUBLISHED,
        _edited(lambda s: s["properties"]["type"].update(const="tessera.test.Thing.v2")),
        "type: const changed from 'tessera.test.Thing.v1' to 'tessera.test.Thing.v2'",
    ),
    (
        "a constraint changed",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Data")["country"].update(maxLength=3)),
        "data.country: maxLength changed from 2 to 3",
    ),
    (
        "an optional property made required",
        PUBLISHED,
        _edited(lambda s: _defs(s, "Data")["required"].append("note")),
        "data.note: optional property made required",
    ),
    (
        "a required property made optional",
        PUBLISHED,
        _edited(lambda s: _defs(s, "Data")["required"].remove("country")),
        "data.country: required property made optional",
    ),
    (
        "additionalProperties tightened",
        PUBLISHED,
        _edited(_close_data),
        "data: additionalProperties tightened from anything to nothing",
    ),
    (
        "a new optional property of an object that forbids additional properties",
        _edited(_close_data),
        _edited(_close_data, _add_extra),
        "data.extra: new property on an object that forbids additional properties",
    ),
    (
        "a map's value type changed",
        PUBLISHED,
        _edited(lambda s: _properties(s, "Data")["tags"].update(additionalProperties={"type": "integer"})),
        "data.tags.*: type changed from string to integer",
    ),
    (
        "a property made nullable",
        PUBLISHED,
        _edited(
            lambda s: _properties(s, "Data").update(
                client_id={"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]}
            )
        ),
        "data.client_id: type changed from string (uuid) to string (uuid) | null",
    ),
    (
        "a nullable property made non-null",
        PUBLISHED,
        _edited(
            lambda s: _properties(s, "Data").update(relationship_id={"type": "string", "format": "uuid"})
        ),
        "data.relationship_id: type changed from string (uuid) | null to string (uuid)",
    ),
]


@pytest.mark.parametrize(
    ("published", "current"), [case[1:] for case in COMPATIBLE], ids=[case[0] for case in COMPATIBLE]
)
def test_compatible_change_is_accepted(published: Schema, current: Schema) -> None:
    assert check_compatible(published, current) == []


@pytest.mark.parametrize(
    ("published", "current", "problem"), [case[1:] for case in BREAKING], ids=[case[0] for case in BREAKING]
)
def test_breaking_change_is_reported(published: Schema, current: Schema, problem: str) -> None:
    problems = check_compatible(published, current)

    assert any(found.startswith(problem) for found in problems), problems


def test_each_breaking_change_is_reported_once() -> None:
    current = _edited(
        lambda s: _properties(s, "Data").pop("note"), lambda s: _defs(s, "Currency")["enum"].pop()
    )

    assert len(check_compatible(PUBLISHED, current)) == 2


def test_recursive_schemas_are_compared_without_looping() -> None:
    tree: Schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            }
        },
        "$ref": "#/$defs/Node",
    }
    grown = copy.deepcopy(tree)
    grown["$defs"]["Node"]["properties"]["label"] = {"type": "string"}
    grown["$defs"]["Node"]["required"] = ["label"]

    assert check_compatible(tree, tree) == []
    assert check_compatible(tree, grown) == [
        "label: new required property (records published before lack it)"
    ]
