"""The taxonomy, the one model of it: entity types, argument roles and event types.

A taxonomy file (YAML or JSON) is checked against ``taxonomy.schema.json`` and then for its
own cross-references (every role an event names is declared, every entity type a role admits
exists, label names are unique). Every stage loads it through :func:`load`; its ``sha256`` is
taken over the canonical JSON form, so that YAML formatting does not change which taxonomy a
validation or a release names.
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
from akhbar.schemas.errors import UsageError
from akhbar.schemas.yaml_safe import load_yaml

TAXONOMY_DIR = Path(__file__).resolve().parent / "taxonomies"
DEFAULT_TAXONOMY = TAXONOMY_DIR / "ace_ar_conflict.yaml"


@dataclass(frozen=True, slots=True)
class Label:
    """One label: its name, display names and guideline."""

    name: str
    ar: str
    en: str
    color: str | None = None
    hotkey: str | None = None
    definition: str | None = None
    example: str | None = None


@dataclass(frozen=True, slots=True)
class EventType(Label):
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> entity types


@dataclass(frozen=True, slots=True)
class Taxonomy:
    name: str
    version: str
    language: str
    description: str
    entities: tuple[Label, ...]
    roles: tuple[Label, ...]
    events: tuple[EventType, ...]
    sha256: str  # of the canonical JSON form, so YAML formatting does not change it
    source: str  # the file it was read from

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
    def event_roles(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """event type -> role -> entity types that may fill it."""
        return {e.name: e.roles for e in self.events}

    @property
    def ner_tags(self) -> list[str]:
        """BIO tag names: ``O`` first, then ``B-X``, ``I-X`` for each entity type in order."""
        tags = ["O"]
        for name in self.entity_names:
            tags += [f"B-{name}", f"I-{name}"]
        return tags

    def event(self, name: str) -> EventType | None:
        return next((e for e in self.events if e.name == name), None)


def canonical_sha256(data: Any) -> str:
    """sha256 of the canonical JSON form (sorted keys, no spaces), independent of YAML layout."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check(data: Any, source: str = "<memory>") -> dict[str, Any]:
    """Check a taxonomy document against ``taxonomy.schema.json``; return it."""
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a taxonomy must be a mapping with entities, roles and events")
    validator = jsonschema.Draft202012Validator(schemas.load("taxonomy"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/" + "/".join(str(p) for p in e.absolute_path)
        raise UsageError(f"{source}: taxonomy invalid at {where}: {e.message}; fix the file")
    return data


def bundled_names() -> list[str]:
    """The names the bundled taxonomies go by (their file stems, ``-`` or ``_``)."""
    return sorted(p.stem.replace("_", "-") for p in TAXONOMY_DIR.glob("*.yaml"))


def resolve(path: str | Path | None) -> Path:
    """The file of ``--taxonomy``: a path, or the name of a bundled taxonomy (``wojood``,
    ``ace-ar-conflict``), which works wherever akhbar is installed. A path that does not exist
    but names a bundled file as the checkout holds it (``schemas/taxonomies/wojood.yaml``) is
    that bundled file, so the README's examples work after a plain install too."""
    if not path:
        return DEFAULT_TAXONOMY
    p = Path(path)
    if p.exists():
        return p
    text = str(path)
    if "/" not in text and "\\" not in text and not p.suffix:
        bundled = TAXONOMY_DIR / f"{text.replace('-', '_')}.yaml"
        if bundled.is_file():
            return bundled
        raise UsageError(
            f"--taxonomy {text}: no bundled taxonomy of that name (bundled: "
            f"{', '.join(bundled_names())}); give a name or a taxonomy file"
        )
    if p.parent.parts[-2:] == ("schemas", "taxonomies") and (TAXONOMY_DIR / p.name).is_file():
        return TAXONOMY_DIR / p.name
    return p


def read(path: str | Path | None = None) -> tuple[dict[str, Any], str]:
    """Read and schema-check a taxonomy file (or bundled name, see :func:`resolve`); ``None``
    is the bundled default. Returns the document and the path it came from."""
    p = resolve(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(
            f"{p}: cannot read taxonomy ({e.strerror}); pass --taxonomy FILE or a bundled name "
            f"({', '.join(bundled_names())})"
        ) from e
    try:
        data = load_yaml(text)
    except yaml.YAMLError as e:
        raise UsageError(f"{p}: not valid YAML/JSON ({str(e).splitlines()[0]})") from e
    return check(data, str(p)), str(p)


def _label(d: dict[str, Any]) -> dict[str, Any]:
    g = d.get("guideline") or {}
    return {
        "name": d["name"],
        "ar": d["display"]["ar"],
        "en": d["display"]["en"],
        "color": d.get("color"),
        "hotkey": d.get("hotkey"),
        "definition": g.get("definition"),
        "example": g.get("example"),
    }


def parse(data: Any, source: str = "<memory>") -> Taxonomy:
    """Check a taxonomy document against its schema and its own cross-references."""
    check(data, source)
    entities = [Label(**_label(e)) for e in data["entities"]]
    roles = [Label(**_label(r)) for r in data["roles"]]
    ent_names = {e.name for e in entities}
    role_names = {r.name for r in roles}
    all_names = [e.name for e in entities] + [e["name"] for e in data["events"]]
    dupes = sorted({n for n in all_names if all_names.count(n) > 1})
    if dupes:
        raise UsageError(
            f"{source}: label names must be unique across entities and events: {dupes}"
        )
    events = []
    for ev in data["events"]:
        spec: dict[str, tuple[str, ...]] = {}
        for r in ev["roles"]:
            if r["role"] not in role_names:
                raise UsageError(
                    f"{source}: event {ev['name']} uses role {r['role']!r}, which is not declared "
                    f"under roles; declare it or fix the name (known: {sorted(role_names)})"
                )
            unknown = [t for t in r["entity_types"] if t not in ent_names]
            if unknown:
                raise UsageError(
                    f"{source}: role {ev['name']}.{r['role']} admits unknown entity types {unknown}"
                )
            spec[r["role"]] = tuple(r["entity_types"])
        events.append(EventType(**_label(ev), roles=spec))
    return Taxonomy(
        name=data["name"],
        version=data["version"],
        language=data["language"],
        description=data.get("description", ""),
        entities=tuple(entities),
        roles=tuple(roles),
        events=tuple(events),
        sha256=canonical_sha256(data),
        source=source,
    )


def load(path: Taxonomy | str | Path | None = None) -> Taxonomy:
    """Load a taxonomy file (YAML or JSON); ``None`` means the bundled default; a
    :class:`Taxonomy` is returned as it is (callers may be given either)."""
    if isinstance(path, Taxonomy):
        return path
    data, source = read(path)
    return parse(data, source=source)
