"""The project a push imports into: found by its title or created, safe against a push racing
it, and never with a team's config silently replaced.

**Two pushes creating the same project.** Label Studio has no lock and does not keep titles
unique. Pushes on one machine take a lock (a ``flock`` keyed by the server and the title, in
the user's cache) around finding or creating the project, so only one of them creates it and
the others find it. Two more sources of extra projects remain, and every push resolves them
by the same rule, the oldest project (lowest id) is the project:

- Label Studio itself: on SQLite its middleware runs a request again when it met a locked
  database, even if the first run had already saved the project, so one create can leave
  two projects;
- a push from another machine creating the same title at the same moment.

After creating one, a push looks again: if there are now several projects titled T, it keeps
the oldest and deletes the empty younger ones (its own among them; no push imports into a
project that is not the oldest). A push that finds several projects titled T at the start
uses the oldest when the others are empty; a second project holding tasks is the user's to
sort out.

**The labelling config.** A project found on the server keeps its labelling config, its
instructions and its description when they differ from those the taxonomy generates (a team
may have edited them in Label Studio's UI): the push says what differs
(``annotation.labelstudio.labelconfig_diff``) and replaces them only with ``update_config`` (which Label
Studio still refuses when the new config would orphan existing annotations).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from akhbar.annotation.labelstudio import labelconfig, labelconfig_diff
from akhbar.annotation.labelstudio.client import Client, ServerError, Unreachable
from akhbar.annotation.push.ledger import ledger_dir
from akhbar.corpus.runtime.publish import OutputLock
from akhbar.schemas.errors import OutputError, UsageError
from akhbar.schemas.taxonomy import Taxonomy


@dataclass
class ProjectSetup:
    """What :func:`ensure_project` found or made."""

    project: dict[str, Any]
    created: bool = False
    config_updated: bool = False
    # what differs from the taxonomy's config and was kept as the server has it
    config_kept: list[str] = field(default_factory=list)
    # the project is the one this push's create answer described (its fields are the taxonomy's)
    fresh: bool = False
    # empty projects titled alike that appeared while this push created its own, removed
    removed_extra: list[int] = field(default_factory=list)

    def lines(self, title: str) -> list[str]:
        out = []
        if self.removed_extra:
            out.append(
                f"the server held {len(self.removed_extra) + 1} new projects titled {title!r} "
                f"after this push created one (Label Studio runs a request again when its "
                f"database was locked, or a push elsewhere made one at the same time): this "
                f"push uses the oldest (id {self.project['id']}) and removed the empty others "
                f"(ids {self.removed_extra})"
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
        # The server may have created it before the connection broke: look again.
        found = titled(client, title)
        if not found:
            raise
        return ProjectSetup(
            found[0], created=True, removed_extra=_remove_younger_empty(client, found)
        )
    found = titled(client, title)
    if not found or found[0]["id"] == mine["id"]:
        others = [p for p in found if p["id"] != mine["id"]]
        return ProjectSetup(
            mine,
            created=True,
            fresh=True,
            removed_extra=_remove_younger_empty(client, [mine, *others]),
        )
    # An older one appeared while ours was made: keep it, as every push does, and remove ours
    # while it is surely empty.
    try:
        count, _ = client.newest_task(mine["id"])
    except ServerError:  # gone: removed meanwhile by a push elsewhere
        count = 0
    if count:
        raise UsageError(
            f"{client.url} has {len(found)} projects titled {title.strip()!r} (ids "
            f"{[p['id'] for p in found]}), made by pushes running at the same time, and the one "
            f"this push made (id {mine['id']}) already holds tasks; delete the extra ones"
        )
    removed = _remove_younger_empty(client, found)
    if mine["id"] not in removed:
        with contextlib.suppress(ServerError):  # removed meanwhile by a push elsewhere
            client.delete_project(mine["id"])
        removed.append(mine["id"])
    return ProjectSetup(found[0], created=True, removed_extra=sorted(removed))


def _remove_younger_empty(client: Client, found: list[dict[str, Any]]) -> list[int]:
    """Delete the projects of ``found`` but the first (the oldest) that hold no task, and
    return their ids. No push imports into a project that is not the oldest of its title, so
    such a project is one a push (or the server's re-run of one) made and has not removed."""
    removed = []
    for p in found[1:]:
        with contextlib.suppress(ServerError):  # removed meanwhile by the push that made it
            count, _ = client.newest_task(p["id"])
            if not count:
                client.delete_project(p["id"])
                removed.append(p["id"])
    return removed


# How long a push waits for another push on this machine to find or create the same project.
LOCK_WAIT = 600.0


def _project_lock(client: Client, title: str) -> OutputLock:
    """The lock that pushes on this machine take around finding or creating ``title``."""
    key = f"{client.url.rstrip('/')}|{title.strip()}"
    name = hashlib.sha256(key.encode()).hexdigest()[:24]
    return OutputLock(ledger_dir() / "projects" / name, what="project lock", wait=LOCK_WAIT)


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
    try:
        with _project_lock(client, title):
            found = titled(client, title)
            setup = (
                _create(client, title, fields, creating)
                if not found
                else ProjectSetup(_oldest(client, found, title))
            )
    except OutputError as e:
        if "another akhbar run" not in str(e):
            raise
        raise OutputError(
            f"another push to {client.url} has been finding or creating project {title!r} for "
            f"{LOCK_WAIT:.0f} s; is it stuck? stop it and push again"
        ) from None
    if setup.fresh:
        return setup
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
