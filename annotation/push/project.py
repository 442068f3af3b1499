"""The project a push imports into: found by its title or created, safe against a push racing
it, and never with a team's config silently replaced.

**Two pushes creating the same project.** Label Studio has no lock and does not keep titles
unique, so two pushes that both find no project titled T both create one. After creating
one, a push looks again: if there are now several projects titled T, the oldest (lowest id:
the server gives ids in the order it creates projects) is the project, and the push deletes
the one it made (still empty: no push imports into a project that is not the oldest). A push
that finds several projects titled T at the start uses the oldest when the others are empty
(they are being removed by the pushes that made them); a second project holding tasks is
the user's to sort out, as before.

**The labelling config.** A project found on the server keeps its labelling config, its
instructions and its description when they differ from those the taxonomy generates (a team
may have edited them in Label Studio's UI): the push says what differs
(``annotation.labelstudio.labelconfig_diff``) and replaces them only with ``update_config`` (which Label
Studio still refuses when the new config would orphan existing annotations).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from akhbar.annotation.labelstudio import labelconfig, labelconfig_diff
from akhbar.annotation.labelstudio.client import Client, ServerError, Unreachable
from akhbar.schemas.errors import UsageError
from akhbar.schemas.taxonomy import Taxonomy


@dataclass
class ProjectSetup:
    """What :func:`ensure_project` found or made."""

    project: dict[str, Any]
    created: bool = False
    config_updated: bool = False
    # what differs from the taxonomy's config and was kept as the server has it
    config_kept: list[str] = field(default_factory=list)
    # a project this push made and removed because another push had made one first
    removed_duplicate: int | None = None

    def lines(self, title: str) -> list[str]:
        out = []
        if self.removed_duplicate is not None:
            out.append(
                f"another push created project {title!r} at the same time: this push uses "
                f"the first one (id {self.project['id']}) and removed the one it made "
                f"(id {self.removed_duplicate})"
            )
        if self.config_kept:
            out.append(
                "labelling config: the project's differs from the taxonomy's ("
                + "; ".join(self.config_kept)
                + "): kept as it is on the server; --update-config replaces it"
            )
        return out


def project_fields(tax: Taxonomy) -> dict[str, Any]:
    """The project fields generated from the taxonomy."""
    return {
        "label_config": labelconfig.label_config(tax),
        "expert_instruction": labelconfig.instructions_html(tax),
        "show_instruction": True,
        "description": f"akhbar: {tax.name}@{tax.version} (taxonomy sha256 {tax.sha256[:12]})",
    }


def _stored(value: Any) -> Any:
    """A field as the server keeps it (it strips surrounding whitespace from text fields)."""
    return value.strip() if isinstance(value, str) else value


def titled(client: Client, title: str) -> list[dict[str, Any]]:
    """The projects titled exactly ``title`` (as the server stores it), oldest first."""
    want = title.strip()
    found = [p for p in client.projects(want) if p["title"].strip() == want]
    return sorted(found, key=lambda p: p["id"])


def _oldest(client: Client, found: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """The oldest of several projects titled ``title``, if the others are empty."""
    if any(p.get("task_number") for p in found[1:]):
        ids = [p["id"] for p in found]
        raise UsageError(
            f"{client.url} has {len(found)} projects titled {title.strip()!r} (ids {ids}); "
            f"rename or delete the extra ones so that the title names one project"
        )
    return found[0]


def _create(
    client: Client, title: str, fields: dict[str, Any], creating: Callable[[], None] | None
) -> ProjectSetup:
    if creating is not None:
        creating()
    try:
        mine = client.create_project(title=title, **fields)
    except Unreachable:
        # The server may have created it before the connection broke: look again, and remove
        # the empty younger ones (ours among them, whichever it is).
        found = titled(client, title)
        if not found:
            raise
        _remove_younger_empty(client, found)
        return ProjectSetup(_oldest(client, found, title), created=True)
    found = titled(client, title)
    first = found[0] if found else mine
    if first["id"] == mine["id"]:
        return ProjectSetup(mine, created=True)
    _remove_younger_empty(client, [p for p in found if p["id"] != mine["id"]])
    # Another push made one first: use it, and remove ours while it is surely empty (that push
    # may have removed it already: see _remove_younger_empty).
    try:
        count, _ = client.newest_task(mine["id"])
    except ServerError:  # gone: removed meanwhile
        return ProjectSetup(first, created=False, removed_duplicate=mine["id"])
    if count:
        raise UsageError(
            f"{client.url} has {len(found)} projects titled {title.strip()!r} (ids "
            f"{[p['id'] for p in found]}), made by pushes running at the same time, and the one "
            f"this push made (id {mine['id']}) already holds tasks; delete the extra ones"
        )
    with contextlib.suppress(ServerError):  # removed meanwhile by the push that made first
        client.delete_project(mine["id"])
    return ProjectSetup(first, created=False, removed_duplicate=mine["id"])


def _remove_younger_empty(client: Client, found: list[dict[str, Any]]) -> None:
    """Delete the projects of ``found`` but the oldest that hold no task. No push imports into
    a project that is not the oldest of its title, so such a project is one a push made and
    has not yet removed (or could not: its create answer was lost)."""
    for p in found[1:]:
        with contextlib.suppress(ServerError):  # removed meanwhile by the push that made it
            count, _ = client.newest_task(p["id"])
            if not count:
                client.delete_project(p["id"])


def ensure_project(
    client: Client,
    title: str,
    tax: Taxonomy,
    creating: Callable[[], None] | None = None,
    update_config: bool = False,
) -> ProjectSetup:
    """The project titled ``title``, created with the taxonomy's config if missing; see the
    module docstring. ``creating`` is called when the project is found missing, before it is
    created."""
    fields = project_fields(tax)
    found = titled(client, title)
    if not found:
        setup = _create(client, title, fields, creating)
        if setup.created:
            return setup
    else:
        setup = ProjectSetup(_oldest(client, found, title))
    project = setup.project
    changed = {k: v for k, v in fields.items() if _stored(project.get(k)) != _stored(v)}
    if not changed:
        return setup
    if not update_config:
        kept = []
        if "label_config" in changed:
            kept += labelconfig_diff.describe(
                str(project.get("label_config") or ""), fields["label_config"]
            )
        kept += [f"{k} differs" for k in ("expert_instruction", "description") if k in changed]
        setup.config_kept = kept or ["display settings differ"]
        return setup
    try:
        setup.project = client.update_project(project["id"], **changed)
    except ServerError as e:
        raise UsageError(
            f"project {title!r} (id {project['id']}) refused the config of "
            f"{tax.name}@{tax.version}: {e.detail}; use the taxonomy the project was made "
            f"with, or push to a new project"
        ) from e
    setup.config_updated = "label_config" in changed
    return setup
