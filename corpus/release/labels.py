"""The taxonomy as the release sees it: label names, definitions and a content hash.

The release stage reads the taxonomy file itself, as data, so that ``corpus`` never imports
``annotation``. The hash is taken over the same canonical JSON as ``annotation.taxonomy`` uses,
so a release and the validation that fed it agree on which taxonomy they mean.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from akhbar import schemas
from akhbar.corpus.errors import UsageError
from akhbar.schemas.yaml_safe import load_yaml

# The bundled taxonomy is package data of ``annotation``; read it by path, never by import.
DEFAULT_TAXONOMY = (
    Path(__file__).resolve().parents[2] / "annotation" / "taxonomies" / "ace_ar_conflict.yaml"
)


@dataclass(frozen=True, slots=True)
class LabelInfo:
    """One label's names and guideline, for the dataset card."""

    name: str
    ar: str
    en: str
    definition: str | None = None
    example: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseLabels:
    name: str
    version: str
    sha256: str
    source: str
    description: str
    entities: tuple[LabelInfo, ...]
    events: tuple[LabelInfo, ...]
    roles: tuple[LabelInfo, ...]
    event_roles: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def entity_names(self) -> list[str]:
        return [e.name for e in self.entities]

    @property
    def event_names(self) -> list[str]:
        return [e.name for e in self.events]

    @property
    def role_names(self) -> list[str]:
        return [r.name for r in self.roles]

    @property
    def ner_tags(self) -> list[str]:
        """BIO tag names: ``O`` first, then ``B-X``, ``I-X`` for each entity type in order."""
        tags = ["O"]
        for name in self.entity_names:
            tags += [f"B-{name}", f"I-{name}"]
        return tags


def canonical_sha256(data: Any) -> str:
    """sha256 of the canonical JSON form (sorted keys, no spaces), independent of YAML layout."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _info(d: dict[str, Any]) -> LabelInfo:
    g = d.get("guideline") or {}
    return LabelInfo(
        name=d["name"],
        ar=d["display"]["ar"],
        en=d["display"]["en"],
        definition=g.get("definition"),
        example=g.get("example"),
    )


def check_taxonomy(data: Any, source: str = "<memory>") -> dict[str, Any]:
    """Check a taxonomy document against ``schemas/taxonomy.schema.json``; return it."""
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a taxonomy must be a mapping with entities, roles and events")
    validator = jsonschema.Draft202012Validator(schemas.load("taxonomy"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/" + "/".join(str(p) for p in e.absolute_path)
        raise UsageError(f"{source}: taxonomy invalid at {where}: {e.message}; fix the file")
    return data


def read_taxonomy(path: str | Path | None = None) -> tuple[dict[str, Any], str]:
    """Read and schema-check a taxonomy file (YAML or JSON); ``None`` is the bundled default.

    Returns the document and the path it came from. Both the release stage and
    ``annotation.taxonomy`` read taxonomies through here.
    """
    p = Path(path) if path else DEFAULT_TAXONOMY
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"{p}: cannot read taxonomy ({e.strerror}); pass --taxonomy FILE") from e
    try:
        data = load_yaml(text)
    except yaml.YAMLError as e:
        raise UsageError(f"{p}: not valid YAML/JSON ({str(e).splitlines()[0]})") from e
    return check_taxonomy(data, str(p)), str(p)


def parse_labels(data: Any, source: str = "<memory>") -> ReleaseLabels:
    """Check a taxonomy document against ``schemas/taxonomy.schema.json`` and extract its labels."""
    check_taxonomy(data, source)
    return ReleaseLabels(
        name=data["name"],
        version=data["version"],
        sha256=canonical_sha256(data),
        source=source,
        description=data.get("description", ""),
        entities=tuple(_info(e) for e in data["entities"]),
        events=tuple(_info(e) for e in data["events"]),
        roles=tuple(_info(r) for r in data["roles"]),
        event_roles={
            ev["name"]: {r["role"]: tuple(r["entity_types"]) for r in ev["roles"]}
            for ev in data["events"]
        },
    )


def load_labels(path: str | Path | None = None) -> ReleaseLabels:
    """Read a taxonomy file (YAML or JSON); ``None`` means the bundled default."""
    data, source = read_taxonomy(path)
    return parse_labels(data, source=source)
