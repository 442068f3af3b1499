"""``akhbar annotate resolve``: mark adjudicators' resolutions ground truth in Label Studio.

Community Edition shows no ground-truth control, so an adjudicator cannot mark what they
submitted. Their annotation still says where it came from: its ``parent_prediction`` is the
akhbar proposal they duplicated (:mod:`annotation.labelstudio.resolution`). This command finds
every such annotation of a project and marks it ground truth through the API, so that Label
Studio's Data Manager shows it as the task's ground truth too. Validation and agreement do not
need it (they recognise a resolution by its parent prediction), and running it again changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.client import Client, Connection
from akhbar.annotation.labelstudio.resolution import CONFLICTS_MODEL, from_proposal, is_proposal
from akhbar.corpus.runtime.option_fields import opt
from akhbar.schemas.errors import InputError

__all__ = ["CONFLICTS_MODEL", "ResolveOptions", "ResolveReport", "resolve_project"]


@dataclass(slots=True)
class ResolveOptions:
    """What ``akhbar annotate resolve`` is asked to do (see :func:`resolve_project`)."""

    project: str = opt("Project title.")


@dataclass
class ResolveReport:
    project: str
    proposed_tasks: int = 0  # tasks holding an akhbar adjudication proposal
    marked: list[tuple[int, int]] = field(default_factory=list)  # (task id, annotation id)
    already: int = 0  # resolutions already ground truth
    unresolved: list[int] = field(default_factory=list)  # proposed tasks with no resolution

    def lines(self) -> list[str]:
        out = [
            f"project {self.project!r}: {self.proposed_tasks} tasks with an adjudication "
            f"proposal; {len(self.marked)} resolutions marked ground truth, {self.already} "
            f"already were"
        ]
        for task_id, ann_id in self.marked:
            out.append(f"  marked    task {task_id}: annotation {ann_id}")
        if self.unresolved:
            ids = ", ".join(map(str, self.unresolved[:20]))
            more = " …" if len(self.unresolved) > 20 else ""
            out.append(
                f"  waiting   {len(self.unresolved)} proposed tasks not resolved yet: "
                f"tasks {ids}{more}"
            )
        return out


def resolve_project(conn: Connection, opts: ResolveOptions) -> ResolveReport:
    """Mark ground truth every annotation that started from an akhbar proposal."""
    report = ResolveReport(opts.project)
    with Client.connect(conn) as client:
        project = client.find_project(opts.project)
        if project is None:
            raise InputError(
                f"{client.url} has no project titled {opts.project!r}; check the title "
                f"(akhbar annotate push creates it)"
            )
        by_task: dict[int, set[int]] = {}
        for p in client.predictions(project["id"]):
            if is_proposal(p):
                by_task.setdefault(p["task"], set()).add(p["id"])
        report.proposed_tasks = len(by_task)
        for task_id in sorted(by_task):
            proposals = frozenset(by_task[task_id])
            found = [
                a
                for a in team_calls.annotations(client, task_id)
                if from_proposal(a, proposals) and a.get("was_cancelled") is not True
            ]
            for a in found:
                if a.get("ground_truth") is True:
                    report.already += 1
                else:
                    team_calls.mark_ground_truth(client, a["id"])
                    report.marked.append((task_id, a["id"]))
            if not found:
                report.unresolved.append(task_id)
    return report
