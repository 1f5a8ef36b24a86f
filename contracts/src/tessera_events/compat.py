"""Is a changed event schema still readable by subscribers built on the published one?

Backward compatible means new optional properties only. Everything else a subscriber can observe is
a breaking change: a property removed, made required or made optional; a type, format, enum, const
or constraint changed (adding enum values too: old subscribers reject the new values); a new required
property; ``additionalProperties`` tightened. ``$ref``s are resolved inside each document, and nested
objects, arrays and ``anyOf``/``oneOf``/``allOf`` branches are compared as well. Annotations (title,
description, default, examples) may change freely.
"""

from collections.abc import Iterator
from typing import Any

Schema = dict[str, Any] | bool

_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment"}
)
_DOCUMENT = frozenset({"$schema", "$id", "$defs", "definitions"})
_COMBINATORS = ("anyOf", "oneOf", "allOf")
_STRUCTURE = frozenset(
    {"$ref", "properties", "required", "additionalProperties", "items", "prefixItems", *_COMBINATORS}
)
_IGNORED = _ANNOTATIONS | _DOCUMENT | _STRUCTURE


def check_compatible(published: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The breaking changes from a published schema to the current one; empty when compatible."""
    return _Comparison(published, current).compare(published, current, "")


class _Comparison:
    """One comparison of two schema documents, remembering the ``$ref`` pairs already compared."""

    def __init__(self, published: dict[str, Any], current: dict[str, Any]) -> None:
        self._published = published
        self._current = current
        self._seen: set[tuple[str, str]] = set()

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        """The breaking changes between two (sub)schemas found at ``path``."""
        refs = (_ref_of(old), _ref_of(new))
        if refs[0] is not None and refs[1] is not None:
            if (refs[0], refs[1]) in self._seen:
                return []
            self._seen.add((refs[0], refs[1]))
        old, new = _resolve(self._published, old), _resolve(self._current, new)
        if isinstance(old, bool) or isinstance(new, bool):
            return [] if old == new else [_changed(path, old, new)]
        shape = _shape_change(old, new, path)
        if shape:
            return [shape]
        return [
            *self._branches(old, new, path),
            *_keyword_changes(old, new, path),
            *self._object(old, new, path),
            *self._array(old, new, path),
        ]

    def _branches(self, old: dict[str, Any], new: dict[str, Any], path: str) -> Iterator[str]:
        for keyword in _COMBINATORS:
            for old_branch, new_branch in zip(old.get(keyword, ()), new.get(keyword, ()), strict=True):
                yield from self.compare(old_branch, new_branch, path)

    def _object(self, old: dict[str, Any], new: dict[str, Any], path: str) -> Iterator[str]:
        old_properties: dict[str, Schema] = old.get("properties", {})
        new_properties: dict[str, Schema] = new.get("properties", {})
        for name in [*old_properties, *(name for name in new_properties if name not in old_properties)]:
            yield from self._property(old, new, name, _join(path, name))
        yield from self._additional_properties(old, new, path)

    def _property(self, old: dict[str, Any], new: dict[str, Any], name: str, path: str) -> Iterator[str]:
        old_schema = old.get("properties", {}).get(name)
        new_schema = new.get("properties", {}).get(name)
        was_required, is_required = name in old.get("required", ()), name in new.get("required", ())
        if new_schema is None:
            yield f"{path}: property removed"
        elif old_schema is None:
            yield from self._new_property(old, new_schema, is_required, path)
        else:
            if is_required and not was_required:
                yield f"{path}: optional property made required"
            if was_required and not is_required:
                yield f"{path}: required property made optional (subscribers may rely on it)"
            yield from self.compare(old_schema, new_schema, path)

    def _new_property(self, old: dict[str, Any], schema: Schema, required: bool, path: str) -> Iterator[str]:
        additional = _additional(old)
        if required:
            yield f"{path}: new required property (records published before lack it)"
        elif additional is False:
            yield f"{path}: new property on an object that forbids additional properties"
        elif isinstance(additional, dict):
            yield from self.compare(additional, schema, path)

    def _additional_properties(self, old: dict[str, Any], new: dict[str, Any], path: str) -> Iterator[str]:
        old_additional, new_additional = _additional(old), _additional(new)
        if old_additional == new_additional or old_additional is False:
            return
        if old_additional is True or new_additional is False:
            yield (
                f"{_where(path)}: additionalProperties tightened from {_describe(old_additional)} "
                f"to {_describe(new_additional)}"
            )
        elif isinstance(new_additional, dict):
            yield from self.compare(old_additional, new_additional, _join(path, "*"))

    def _array(self, old: dict[str, Any], new: dict[str, Any], path: str) -> Iterator[str]:
        if "items" in old or "items" in new:
            yield from self.compare(old.get("items", True), new.get("items", True), f"{path}[]")
        old_prefix, new_prefix = old.get("prefixItems", []), new.get("prefixItems", [])
        for index, (old_item, new_item) in enumerate(zip(old_prefix, new_prefix, strict=False)):
            yield from self.compare(old_item, new_item, f"{path}[{index}]")


def _shape_change(old: dict[str, Any], new: dict[str, Any], path: str) -> str | None:
    """A change of the schema's overall shape: different combinators or tuple lengths."""
    for keyword in (*_COMBINATORS, "prefixItems"):
        old_parts, new_parts = old.get(keyword), new.get(keyword)
        if (old_parts is None) != (new_parts is None) or len(old_parts or ()) != len(new_parts or ()):
            return _changed(path, old, new)
    return None


def _keyword_changes(old: dict[str, Any], new: dict[str, Any], path: str) -> Iterator[str]:
    """Changes of the validation keywords of one schema: type, format, enum, const, constraints."""
    for keyword in sorted((old.keys() | new.keys()) - _IGNORED):
        if keyword == "enum":
            yield from _enum_changes(old.get("enum"), new.get("enum"), path)
        elif keyword == "type":
            if _types(old) != _types(new):
                yield f"{_where(path)}: type changed from {_describe(old)} to {_describe(new)}"
        elif old.get(keyword) != new.get(keyword):
            yield f"{_where(path)}: {keyword} changed from {_value(old, keyword)} to {_value(new, keyword)}"


def _enum_changes(old: list[Any] | None, new: list[Any] | None, path: str) -> Iterator[str]:
    if old is None or new is None:
        yield f"{_where(path)}: enum {'added' if old is None else 'removed'}"
        return
    added = [value for value in new if value not in old]
    removed = [value for value in old if value not in new]
    if added:
        yield f"{_where(path)}: enum values added {added} (subscribers of the published schema reject them)"
    if removed:
        yield f"{_where(path)}: enum values removed {removed}"


def _resolve(root: dict[str, Any], schema: Schema) -> Schema:
    """A schema with its ``$ref`` chain replaced by the target; sibling keywords are kept."""
    followed: set[str] = set()
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if ref in followed:
            raise ValueError(f"$ref cycle through {ref}")
        followed.add(ref)
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        target = _pointer(root, ref)
        schema = {**target, **siblings} if isinstance(target, dict) else target
    return schema


def _pointer(root: dict[str, Any], ref: str) -> Schema:
    """The subschema a local ``$ref`` (``#/$defs/Name``) points to."""
    if not ref.startswith("#"):
        raise ValueError(f"only local $refs can be resolved, not {ref!r}")
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    if not isinstance(node, dict | bool):
        raise ValueError(f"$ref {ref!r} does not point to a schema")
    return node


def _ref_of(schema: Schema) -> str | None:
    return schema.get("$ref") if isinstance(schema, dict) else None


def _additional(schema: dict[str, Any]) -> Schema:
    additional: Schema = schema.get("additionalProperties", True)
    return True if additional == {} else additional


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type", ())
    return frozenset([declared] if isinstance(declared, str) else declared)


def _describe(schema: Schema) -> str:
    """A short human description of a schema, e.g. ``string (uuid) | null``."""
    if isinstance(schema, bool):
        return "anything" if schema else "nothing"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "title" in schema and "properties" in schema:
        return str(schema["title"])
    for keyword in _COMBINATORS:
        if keyword in schema:
            return " | ".join(_describe(branch) for branch in schema[keyword])
    if "enum" in schema:
        return f"one of {schema['enum']}"
    if "const" in schema:
        return repr(schema["const"])
    kind = " | ".join(sorted(_types(schema))) or "any type"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _changed(path: str, old: Schema, new: Schema) -> str:
    return f"{_where(path)}: type changed from {_describe(old)} to {_describe(new)}"


def _value(schema: dict[str, Any], keyword: str) -> str:
    return repr(schema[keyword]) if keyword in schema else "(none)"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _where(path: str) -> str:
    return path or "(root)"
