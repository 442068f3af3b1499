"""A teammate's annotations of tasks already in a project, posted as that teammate.

Used to bring an existing second annotation of some articles into Label Studio (the bundled
sample's second annotator, an annotation made outside Label Studio) so that agreement and
adjudication see it as one more annotator's work: the user is created in the organisation if
needed and every annotation is posted with ``completed_by`` set to them. Each annotation is
checked against the taxonomy and the task's text first (as ``annotate push`` checks
pre-annotations); a task the user already annotated is left as it is, so running it again adds
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from akhbar.annotation.labelstudio import team_calls
from akhbar.annotation.labelstudio.client import Client, Connection
from akhbar.annotation.push import preannotations
from akhbar.schemas import taxonomy as taxonomy_mod
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy


@dataclass
class TeamReport:
    user_id: int
    posted: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)


def post_as(
    conn: Connection,
    project: str,
    path: str | Path,
    email: str,
    taxonomy: Taxonomy | str | Path | None = None,
) -> TeamReport:
    """Post the annotations of ``path`` (JSONL, as ``push --annotations``) as user ``email``."""
    tax = taxonomy_mod.load(taxonomy)
    with Client.connect(conn) as client:
        found = client.find_project(project)
        if found is None:
            raise InputError(f"no project {project!r} on {client.url}; push the corpus first")
        user = team_calls.ensure_user(client, email)
        report = TeamReport(user["id"])
        tasks: dict[str, int] = {}
        texts: dict[str, str] = {}
        for t in client.iter_tasks(found["id"], include="id,data"):  # the texts are checked
            aid = (t.get("data") or {}).get("article_id")
            if isinstance(aid, str) and aid not in tasks:
                tasks[aid], texts[aid] = t["id"], str(t["data"].get("text", ""))
        items, problems = preannotations.load(path, preannotations.ANNOTATION)
        checked = preannotations.check(items, texts, tax)
        report.problems = [str(p) for p in [*problems, *checked.problems]]
        for aid, pres in checked.by_article.items():
            task_id = tasks[aid]
            if any(
                a.get("completed_by") == user["id"] for a in team_calls.annotations(client, task_id)
            ):
                report.already += 1
                continue
            for pre in pres:
                team_calls.annotate_as(client, task_id, user["id"], pre.result)
                report.posted += 1
    return report
