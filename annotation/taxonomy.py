"""The taxonomy as data: entity types, argument roles and event types, loaded from YAML or JSON.

A taxonomy file is checked against ``schemas/taxonomy.schema.json`` and then for consistency
(every role an event names is declared, every entity type a role admits exists, names are unique).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.corpus.errors import UsageError
from akhbar.corpus.release.labels import canonical_sha256, check_taxonomy, read_taxonomy

TAXONOMY_DIR = Path(__file__).resolve().parent / "taxonomies"
DEFAULT_TAXONOMY = TAXONOMY_DIR / "ace_ar_conflict.yaml"


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    ar: str
    en: str
    color: str | None
    hotkey: str | None
    definition: str | None
    example: str | None


@dataclass(frozen=True, slots=True)
class EventType:
    label: Label
    roles: dict[str, tuple[str, ...]]  # role name -> entity types allowed to fill it

    @property
    def name(self) -> str:
        return self.label.name


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

    def event(self, name: str) -> EventType | None:
        return next((e for e in self.events if e.name == name), None)


def _label(d: dict[str, Any]) -> Label:
    g = d.get("guideline") or {}
    return Label(
        name=d["name"],
        ar=d["display"]["ar"],
        en=d["display"]["en"],
        color=d.get("color"),
        hotkey=d.get("hotkey"),
        definition=g.get("definition"),
        example=g.get("example"),
    )


def parse(data: dict[str, Any], source: str = "<memory>") -> Taxonomy:
    """Check a taxonomy document against its schema and its own cross-references."""
    check_taxonomy(data, source)
    entities = [_label(e) for e in data["entities"]]
    roles = [_label({**r, "guideline": r.get("guideline")}) for r in data["roles"]]
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
        events.append(EventType(label=_label(ev), roles=spec))
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


def load(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy file (YAML or JSON); ``None`` means the bundled default."""
    data, source = read_taxonomy(path or DEFAULT_TAXONOMY)
    return parse(data, source=source)
