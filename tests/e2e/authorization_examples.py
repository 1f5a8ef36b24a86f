"""A valid example of a JSON schema, with the values a scenario knows put in by property name.

A request the matrix sends must pass validation, or a 422 would hide what authorization decides; so
bodies, query strings and path values are built from the operation's own schema, and a property the
scenario knows (``relationship_id``, ``product_code`` …) gets the victim's real value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from authorization_openapi import Schema

# Patterns the services use, each with a value it accepts.
PATTERN_SAMPLES = {
    r"^[A-Za-z]{2}$": "CH",
    r"^[A-Z]{2}$": "CH",
    r"^[a-z]{2}$": "de",
    r"^[0-9a-f]{64}$": "0" * 64,
    r"^#[0-9a-f]{6}$": "#336699",
    r"^seti_[A-Za-z0-9_]+$": "seti_matrix",
    r"^\+?[0-9 ()./-]{5,40}$": "+41 44 000 00 00",
}


def example(schema: Schema, hints: dict[str, Any], name: str = "", *, complete: bool = False) -> Any:
    """A value ``schema`` accepts; ``hints[name]`` wins when the scenario knows the property. Objects
    have their required properties, and every property when ``complete``."""
    if name in hints:
        return hints[name]
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"] or schema[combinator]
            return example(options[0], hints, name, complete=complete)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if kind == "object":
        return _object(schema, hints, complete)
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [example(schema.get("items", {}), hints, f"{name}[]", complete=complete) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema)
    if kind == "boolean":
        return False
    return _string(schema, name)


def _object(schema: Schema, hints: dict[str, Any], complete: bool) -> dict[str, Any]:
    properties: dict[str, Schema] = schema.get("properties", {})
    chosen = set(properties) if complete else set(schema.get("required", [])) | (set(properties) & set(hints))
    return {key: example(properties[key], hints, key, complete=complete) for key in properties if key in chosen}


def with_leaves(value: Any, *, text: str | None = None, number: int | None = None) -> Any:
    """``value`` with every string replaced by ``text`` and every integer by ``number`` (those given)."""
    if isinstance(value, dict):
        return {key: with_leaves(item, text=text, number=number) for key, item in value.items()}
    if isinstance(value, list):
        return [with_leaves(item, text=text, number=number) for item in value]
    if isinstance(value, str) and text is not None:
        return text
    if isinstance(value, int) and not isinstance(value, bool) and number is not None:
        return number
    return value


def leaves(value: Any, kind: type) -> int:
    """How many strings (``kind=str``) or integers (``kind=int``) ``value`` holds."""
    if isinstance(value, dict):
        return sum(leaves(item, kind) for item in value.values())
    if isinstance(value, list):
        return sum(leaves(item, kind) for item in value)
    return int(isinstance(value, kind) and not isinstance(value, bool))


def _number(schema: Schema) -> int:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1)
    high = schema.get("maximum", schema.get("exclusiveMaximum", 10**6))
    return int(min(max(low, 1), high))


def _string(schema: Schema, name: str) -> str:
    form = schema.get("format")
    if form == "uuid":
        return str(uuid4())
    if form == "email":
        return f"matrix-{uuid4().hex[:8]}@example.com"
    if form == "date-time":
        return datetime.now(UTC).isoformat()
    if form == "date":
        return datetime.now(UTC).date().isoformat()
    if form in ("uri", "url"):
        return "https://example.com/"
    pattern = schema.get("pattern")
    if pattern in PATTERN_SAMPLES:
        return PATTERN_SAMPLES[pattern]
    length = max(int(schema.get("minLength", 1)), len(name) + 7)
    return f"matrix {name}".ljust(length, "x")[: int(schema.get("maxLength", length))]
