"""The one check of a file's shape against its JSON Schema, for the files a person writes
(build configs) and the files the tool reads back (release index, manifests, reports).

A problem is one line naming the file, the key (dotted, ``filters.script``, or ``/0/name``
for positions) and what is allowed there: the schema's ``enum``, or the ``description`` of the
property, which these schemas word as what a value must be ("a number from 0 to 1").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from akhbar import schemas
from akhbar.schemas.errors import AkhbarError, UsageError

if TYPE_CHECKING:
    import jsonschema


def key_of(path: Any) -> str:
    """``["filters", "script"]`` -> ``filters.script``; the whole file is ``(top level)``."""
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


_KINDS = {"object": "a mapping", "array": "a list"}


def _a(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _allowed(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "description" in schema:
        return schema["description"]
    return str(schema.get("type", "another value"))


def _message(error: jsonschema.ValidationError, source: str) -> str:
    key = key_of(error.absolute_path)
    if error.validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(known))
        return f"{source}: {key}: unknown keys {unknown}; known keys are {known}"
    if error.validator == "required":
        return f"{source}: {key}: {error.message}; add it"
    if not error.absolute_path and error.validator == "type":
        kind = _KINDS.get(str(error.schema.get("type")), str(error.schema.get("type")))
        return f"{source}: expected {kind} at the top level ({error.schema.get('title')}), got {_a(error.instance)}"
    value = repr(error.instance)
    if len(value) > 60:
        value = value[:57] + "..."
    return f"{source}: {key}: expected {_allowed(error.schema)}, got {value}"


def check_shape(data: Any, schema: str, source: str, error: type[AkhbarError] = UsageError) -> Any:
    """Check ``data`` (read from ``source``) against ``schemas/<schema>.schema.json``; return it,
    or raise ``error`` with one line for the first problem (the shallowest, so that a wrong
    container is named before what is inside it)."""
    import jsonschema  # here: most commands never check a shape, and it takes a while to load

    validator = jsonschema.Draft202012Validator(
        schemas.load(schema), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = sorted(
        validator.iter_errors(data),
        key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]),
    )
    if problems:
        raise error(_message(problems[0], source))
    return data
