"""What changed between two releases, from their manifests alone.

Articles are compared by id: added, removed, annotations changed (the hash of an article's
entities and events differs; one the old release's audit had suspects in is said to be
corrected after review), moved to another split; label counts are compared per split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from akhbar.corpus.release.manifest import article_map, load_manifest
from akhbar.corpus.release.splits import SPLITS

LIST_LIMIT = 200  # ids listed per section; manifest.json has them all


def _id_list(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    lines = [f"### {title} ({len(items):,})", ""]
    lines += [f"- {item}" for item in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        lines.append(f"- … and {len(items) - LIST_LIMIT:,} more (see `articles` in manifest.json)")
    return [*lines, ""]


def _counts(title: str, kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    names = sorted(
        {n for s in SPLITS for n in old["labels"][s][kind]}
        | {n for s in SPLITS for n in new["labels"][s][kind]}
    )
    if not names:
        return []
    lines = [f"#### {title}", "", "| label | " + " | ".join(SPLITS) + " |", "|---|---|---|---|"]
    for name in names:
        cells = []
        for s in SPLITS:
            a = old["labels"][s][kind].get(name, 0)
            b = new["labels"][s][kind].get(name, 0)
            cells.append(f"{a} → {b} ({b - a:+d})" if a != b else f"{b}")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return [*lines, ""]


def changes(
    old: dict[str, Any] | None,
    old_articles: Mapping[str, tuple[str, str]],
    new: dict[str, Any],
    new_articles: Iterable[tuple[str, str, str]],
) -> str:
    """Markdown describing how release ``new`` differs from ``old`` (``None`` for a first one).

    ``old_articles`` maps an article id to (split, annotation hash); ``new_articles`` yields
    (id, split, annotation hash); both come from the manifests.
    """
    if old is None:
        per_split = {s: new["labels"][s]["articles"] for s in SPLITS}
        return (
            f"Initial release: {sum(per_split.values()):,} articles "
            f"({', '.join(f'{s} {n:,}' for s, n in per_split.items())}).\n"
        )
    added: list[tuple[str, str]] = []
    changed: list[tuple[str, str]] = []
    moved: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for aid, split, h in new_articles:
        before = old_articles.get(aid)
        if before is None:
            added.append((aid, split))
            continue
        seen.add(aid)
        if before[1] != h:
            changed.append((aid, split))
        if before[0] != split:
            moved.append((aid, before[0], split))
    removed = sorted((aid, v[0]) for aid, v in old_articles.items() if aid not in seen)
    touched = len({a for a, _ in changed} | {a for a, _, _ in moved})
    lines = [
        f"Compared with v{old['version']} ({old.get('created_at', '?')}): "
        f"{len(added):,} articles added, {len(removed):,} removed, {len(changed):,} with changed "
        f"annotations, {len(moved):,} moved to another split, {len(seen) - touched:,} unchanged.",
        "",
    ]
    ot, nt = old.get("taxonomy", {}), new.get("taxonomy", {})
    if ot.get("sha256") != nt.get("sha256"):
        lines += [
            f"Taxonomy changed: {ot.get('name')} {ot.get('version')} -> "
            f"{nt.get('name')} {nt.get('version')}.",
            "",
        ]
    lines += _id_list("Added articles", [f"`{a}` ({s})" for a, s in sorted(added)])
    lines += _id_list("Removed articles", [f"`{a}` (was {s})" for a, s in removed])
    suspects = (old.get("audit") or {}).get("articles") or {}
    lines += _id_list(
        "Changed annotations",
        [
            f"`{a}` ({s})"
            + (
                f": audit suspect in v{old['version']} ({', '.join(suspects[a])}), "
                "corrected after review"
                if a in suspects
                else ""
            )
            for a, s in sorted(changed)
        ],
    )
    lines += _id_list("Moved between splits", [f"`{a}`: {o} -> {n}" for a, o, n in sorted(moved)])
    lines += ["### Label counts per split (before → after)", ""]
    lines += _counts("Entities", "entities", old, new)
    lines += _counts("Events", "events", old, new)
    lines += _counts("Argument roles", "roles", old, new)
    return "\n".join(lines).rstrip() + "\n"


def changelog_file(
    old: dict[str, Any] | None,
    old_articles: Mapping[str, tuple[str, str]],
    new: dict[str, Any],
    new_articles: Iterable[tuple[str, str, str]],
    previous_log: str | None,
) -> str:
    """The new ``CHANGELOG.md``: this release's section, then the earlier ones."""
    text = (
        "# Changelog\n\n"
        + f"## v{new['version']} ({new.get('created_at', '')[:10]})\n\n"
        + changes(old, old_articles, new, new_articles)
    )
    if previous_log:
        earlier = previous_log.split("\n", 1)[1] if previous_log.startswith("# ") else previous_log
        text += "\n" + earlier.lstrip("\n")
    return text


def diff(a: Path, b: Path) -> str:
    """The changes between any two releases, for ``akhbar release diff``."""
    old, new = load_manifest(a), load_manifest(b)
    new_articles = ((aid, v[0], v[1]) for aid, v in article_map(b).items())
    return f"# Changes from v{old['version']} to v{new['version']}\n\n" + changes(
        old, article_map(a), new, new_articles
    )
