"""What changed between two releases, from their manifests alone.

Articles are compared by id: added, removed, annotations changed (the hash of an article's
entities and events differs), moved to another split; label counts are compared per split.
"""

from __future__ import annotations

from typing import Any

from corpus.release.splits import SPLITS

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


def changes(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """Markdown describing how ``new`` differs from ``old`` (``None`` for a first release)."""
    arts = new.get("articles", {})
    per_split = {s: sum(1 for a in arts.values() if a["split"] == s) for s in SPLITS}
    if old is None:
        return (
            f"Initial release: {len(arts):,} articles "
            f"({', '.join(f'{s} {n:,}' for s, n in per_split.items())}).\n"
        )
    before = old.get("articles", {})
    added = sorted(set(arts) - set(before))
    removed = sorted(set(before) - set(arts))
    both = sorted(set(arts) & set(before))
    changed = [a for a in both if arts[a]["annotation"] != before[a]["annotation"]]
    moved = [a for a in both if arts[a]["split"] != before[a]["split"]]
    lines = [
        f"Compared with v{old['version']} ({old.get('created_at', '?')}): "
        f"{len(added):,} articles added, {len(removed):,} removed, {len(changed):,} with changed "
        f"annotations, {len(moved):,} moved to another split, "
        f"{len(both) - len(set(changed) | set(moved)):,} unchanged.",
        "",
    ]
    ot, nt = old.get("taxonomy", {}), new.get("taxonomy", {})
    if ot.get("sha256") != nt.get("sha256"):
        lines += [
            f"Taxonomy changed: {ot.get('name')} {ot.get('version')} -> "
            f"{nt.get('name')} {nt.get('version')}.",
            "",
        ]
    lines += _id_list("Added articles", [f"`{a}` ({arts[a]['split']})" for a in added])
    lines += _id_list("Removed articles", [f"`{a}` (was {before[a]['split']})" for a in removed])
    lines += _id_list("Changed annotations", [f"`{a}` ({arts[a]['split']})" for a in changed])
    lines += _id_list(
        "Moved between splits",
        [f"`{a}`: {before[a]['split']} -> {arts[a]['split']}" for a in moved],
    )
    lines += ["### Label counts per split (before → after)", ""]
    lines += _counts("Entities", "entities", old, new)
    lines += _counts("Events", "events", old, new)
    lines += _counts("Argument roles", "roles", old, new)
    return "\n".join(lines).rstrip() + "\n"


def section(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    return f"## v{new['version']} ({new.get('created_at', '')[:10]})\n\n" + changes(old, new)


def changelog_file(
    old: dict[str, Any] | None, new: dict[str, Any], previous_log: str | None
) -> str:
    """The new ``CHANGELOG.md``: this release's section, then the earlier ones."""
    text = "# Changelog\n\n" + section(old, new)
    if previous_log:
        earlier = previous_log.split("\n", 1)[1] if previous_log.startswith("# ") else previous_log
        text += "\n" + earlier.lstrip("\n")
    return text


def diff(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The changes between any two releases, for ``akhbar release diff``."""
    return f"# Changes from v{a['version']} to v{b['version']}\n\n" + changes(a, b)
