"""What every reader shares: where a record came from, and rejections of whole inputs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.records import Provenance, RawRecord, Rejection

WHOLE_FILE = "file"  # Provenance.record of a rejection that concerns a whole file or member
OUR_FIELDS = ("title", "text", "source", "url", "published", "retrieved", "author")


@dataclass(frozen=True, slots=True)
class Origin:
    """A file (or a member inside an archive) being read: names used in provenance."""

    input_file: str  # path as given, or input dir joined with the path inside it
    member: str | None = None  # name inside an archive

    def record(self, position: str) -> str:
        """Provenance.record of one record: "12", "line 7", "2015-07-21.json#12"."""
        if self.member is None:
            return position
        sep = " " if position.startswith("line") else "#"
        return f"{self.member}{sep}{position}"

    def whole(self) -> str:
        return self.member if self.member is not None else WHOLE_FILE


def excerpt_of(data: bytes | str, limit: int = 120) -> str:
    """The first characters of an input, to recognise it in rejected.jsonl."""
    if isinstance(data, bytes):
        return repr(data[:limit])
    return " ".join(data[: limit * 2].split())[:limit]


def reject_input(
    origin: Origin,
    reader: str,
    reason: str,
    detail: str,
    *,
    data: bytes | str | None = None,
    encoding: str | None = None,
) -> Rejection:
    """A Rejection of a whole file or archive member (nothing in it could be read)."""
    where = origin.input_file if origin.member is None else f"{origin.input_file}:{origin.member}"
    return Rejection(
        reason=reason,
        detail=f"{where}: {detail}",
        provenance=Provenance(origin.input_file, origin.whole(), reader, encoding),
        excerpt=excerpt_of(data) if data else None,
    )


def iso_date(value: Any) -> str | None:
    """An ISO 8601 date/datetime string for ``value``, or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def record_from_mapping(
    obj: Any,
    config: CorpusConfig,
    origin: Origin,
    position: str,
    reader: str,
    encoding: str | None,
    rules: dict[str, int] | None = None,
) -> RawRecord | Rejection:
    """Map one JSON object onto a RawRecord through ``config.fields``; other keys -> metadata.

    Not an object, or no text field, is a Rejection; a null text is an empty body (the
    ``empty`` filter rejects it) because scrapers write null when a page had no article.
    """
    provenance = Provenance(
        origin.input_file, origin.record(position), reader, encoding, dict(rules or {})
    )
    where = f"{origin.input_file} record {origin.record(position)}"
    if json_depth(obj) > config.limits.max_json_depth:
        return Rejection(
            reason="too_deep",
            detail=f"{where}: nested more than {config.limits.max_json_depth} arrays/objects "
            "deep (limits.max_json_depth)",
            provenance=provenance,
        )
    if not isinstance(obj, dict):
        return Rejection(
            reason="not_an_object",
            detail=f"{where}: {a_type(obj)}, expected a JSON object with a "
            f"{config.fields['text']!r} field",
            provenance=provenance,
            excerpt=excerpt_of(str(obj)),
        )
    fields = _complete(tuple(config.fields.items()))
    text_key = fields["text"]
    if text_key not in obj:
        return Rejection(
            reason="missing_text",
            detail=f"{where}: no {text_key!r} field (keys: {sorted(obj)[:12]}); map the text "
            "field with 'fields: {text: KEY}' in the config",
            provenance=provenance,
            title=_string(obj.get(fields["title"])),
            excerpt=excerpt_of(str(obj)),
        )
    text = obj[text_key]
    if text is None:
        text = ""
    elif not isinstance(text, str):
        return Rejection(
            reason="bad_field",
            detail=f"{where}: field {text_key!r} is {a_type(text)}, expected a string",
            provenance=provenance,
            title=_string(obj.get(fields["title"])),
            excerpt=excerpt_of(str(text)),
        )
    used = {fields[f] for f in OUR_FIELDS}
    metadata = {k: v for k, v in obj.items() if k not in used}
    published_raw, retrieved_raw = obj.get(fields["published"]), obj.get(fields["retrieved"])
    published, retrieved = iso_date(published_raw), iso_date(retrieved_raw)
    if published is None and published_raw not in (None, ""):
        metadata["published_raw"] = published_raw
    if retrieved is None and retrieved_raw not in (None, ""):
        metadata["retrieved_raw"] = retrieved_raw
    return RawRecord(
        title=_string(obj.get(fields["title"])) or "",
        text=text,
        provenance=provenance,
        source=_string(obj.get(fields["source"])),
        url=_string(obj.get(fields["url"])),
        published=published,
        retrieved=retrieved,
        author=_string(obj.get(fields["author"])),
        metadata=metadata,
    )


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in item)
    return deepest


@functools.lru_cache(maxsize=64)
def _complete(fields: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """A field mapping with every field present: the defaults under the configured keys."""
    return {**CorpusConfig().fields, **dict(fields)}


def _string(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def a_type(value: Any) -> str:
    """ "a list", "an int": the JSON-ish type of a value, for messages."""
    name = {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
