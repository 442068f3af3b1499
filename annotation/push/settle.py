"""After a push has imported its tasks: make sure each article it sent has exactly one task,
even when other pushes imported into the same project at the same time.

Label Studio has no lock, so two pushes that both read the project before either imported
both import the same new articles. A push therefore looks at the project after importing:

- If the project's fingerprint (``annotation.push.ledger``: number of tasks, newest task) is
  what the push alone would have made, no one else imported or deleted anything meanwhile:
  what the push knows is what the server holds.
- Otherwise it lists the project's tasks (id, article id, number of annotations). For each
  article it sent that has several tasks, the task imported first (lowest id: ids are given in
  the order imports are committed, one import at a time on the local SQLite server) is the
  article's task; the push deletes the later ones it created itself, never a task that has
  annotations and never one another push created (that push removes its own). Every push
  applies the same rule, so they agree on which task stays.
- The ledger is then written from a listing of the project, only if the project did not
  change while it was listed (the fingerprint before and after the listing agree).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from akhbar.annotation.labelstudio.client import Client
from akhbar.annotation.push import ledger as push_ledger
from akhbar.annotation.push.articles import META_KEY
from akhbar.annotation.push.ledger import Existing, Fingerprint


@dataclass
class Settled:
    """What :func:`settle` found and did."""

    removed: int = 0  # duplicate tasks this push had made and deleted
    # articles left with several tasks because a later one has annotations: article -> ids
    annotated_duplicates: dict[str, list[int]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # articles sent that have no task now
    # what the server holds, read while it did not change (None: no ledger this time)
    tasks: dict[str, Existing] | None = None
    fingerprint: Fingerprint | None = None

    def lines(self) -> list[str]:
        out = []
        if self.removed:
            out.append(
                f"another push imported {self.removed} of the same articles into the project "
                f"at the same time: removed the {self.removed} duplicate tasks this push made"
            )
        if self.annotated_duplicates:
            shown = ", ".join(
                f"{aid} (tasks {ids})" for aid, ids in list(self.annotated_duplicates.items())[:5]
            )
            out.append(
                f"{len(self.annotated_duplicates)} article(s) have several tasks, kept because "
                f"a later one has annotations already: {shown}; merge them by hand"
            )
        if self.missing:
            out.append(
                f"{len(self.missing)} article(s) sent have no task any more (deleted meanwhile "
                f"by someone else): {', '.join(self.missing[:5])}; run the push again"
            )
        return out


def _now(client: Client, project_id: int) -> Fingerprint:
    count, newest = client.newest_task(project_id)
    return push_ledger.fingerprint(count, newest, META_KEY)


def _listing(client: Client, project_id: int) -> dict[str, list[tuple[int, int]]]:
    """{article id: [(task id, annotations), ...] sorted by task id} for akhbar's tasks."""
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for task in client.iter_tasks(project_id, page_size=5000, include="id,meta,total_annotations"):
        mine = (task.get("meta") or {}).get(META_KEY)
        if isinstance(mine, dict) and isinstance(mine.get("article_id"), str):
            n = task.get("total_annotations")
            # A count the server did not give is taken as "has annotations": never deleted.
            out[mine["article_id"]].append((task["id"], n if isinstance(n, int) else 1))
    for tasks in out.values():
        tasks.sort()
    return out


def _as_ledger(
    client: Client, project_id: int
) -> tuple[dict[str, Existing] | None, Fingerprint | None]:
    """The project's tasks by article id, read while the project did not change."""
    from akhbar.annotation.push.corpus_push import existing_tasks  # the one listing

    before = _now(client, project_id)
    tasks = existing_tasks(client, project_id)
    if _now(client, project_id) != before:
        return None, None
    return tasks, before


def settle(
    client: Client,
    project_id: int,
    sent: dict[str, int],
    known: dict[str, Existing],
    expected: Fingerprint | None,
) -> Settled:
    """Check the project after an import; see the module docstring.

    ``sent``: the articles this push imported, with the task id each got; ``known``: every
    article's task as this push knows it; ``expected``: the fingerprint the project has if no
    one else changed it (None: unknown).
    """
    now = _now(client, project_id)
    if expected is not None and now == expected:
        return Settled(tasks=known, fingerprint=now)
    out = Settled()
    listing = _listing(client, project_id)
    mine = set(sent.values())
    doomed: list[int] = []
    for aid in sent:
        tasks = listing.get(aid, [])
        if not tasks:
            out.missing.append(aid)
            continue
        later = [(tid, n) for tid, n in tasks[1:] if tid in mine]
        doomed += [tid for tid, n in later if n == 0]
        if any(n for _, n in later):
            out.annotated_duplicates[aid] = [tid for tid, _ in tasks]
    if doomed:
        client.delete_tasks(project_id, doomed)
        out.removed = len(doomed)
    out.tasks, out.fingerprint = _as_ledger(client, project_id)
    return out
