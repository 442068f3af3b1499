"""``akhbar annotate review``: tabs in a project's Data Manager holding the tasks to look at.

Community Edition has no review workflow; its Data Manager tabs (Label Studio's *views*) are
saved filters every teammate sees. This module keeps one tab per reason, each filtering on
exactly its task ids (``filter:tasks:id`` ``in_list``):

- ``akhbar review: quarantined AKnnn``: the tasks a validation quarantined with that error code
  (``quarantine.jsonl`` and ``issues.jsonl`` of ``--validation``);
- ``akhbar review: low agreement``: the tasks of ``--agreement``'s lowest documents whose
  entity F1 is below ``--min-agreement`` (agreement keeps the ten lowest);
- ``akhbar review: audit <kind>``: the tasks of the articles an audit (``audit.jsonl`` of
  ``--audit``) lists as suspects of that kind, mapped from article ids to task ids through the
  tasks' data.

With ``--feedback DIR``, one report per annotator goes there too
(:mod:`annotation.team.feedback`).

The tabs are found again by title: running it again updates them in place, never makes a
second one, leaves a tab whose tasks did not change untouched, and removes the akhbar tabs
that no longer have a task. Tabs of other titles are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.labelstudio.client import Client, Connection, plain
from akhbar.annotation.team import feedback
from akhbar.corpus.runtime.option_fields import opt
from akhbar.schemas.errors import InputError, UsageError

PREFIX = "akhbar review: "


@dataclass(slots=True)
class ReviewOptions:
    """What ``akhbar annotate review`` is asked to do (see :func:`review_project`)."""

    project: str = opt("Project title.")
    validation: Path | None = opt("A validation's --out (its quarantined tasks).", None)
    agreement: Path | None = opt("An agreement's --out (its lowest documents).", None)
    audit: Path | None = opt("An audit's --out (its suspects).", None)
    min_agreement: float = opt("Tasks whose entity F1 is below this are low agreement.", 0.8)
    feedback: Path | None = opt(
        "Directory for one feedback report per annotator (<annotator>.md).", None
    )


@dataclass
class ReviewReport:
    project: str
    tabs: dict[str, list[int]] = field(default_factory=dict)  # title -> task ids
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unknown_articles: int = 0  # audit suspects whose article is no task of the project
    feedback: dict[str, Path] = field(default_factory=dict)  # annotator -> report

    def lines(self) -> list[str]:
        out = [
            f"project {self.project!r}: {len(self.tabs)} review tabs "
            f"({len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed)"
        ]
        for title, ids in self.tabs.items():
            out.append(f"  {title}: {len(ids)} tasks")
        for title in self.removed:
            out.append(f"  {title}: removed (no task left)")
        for who, path in self.feedback.items():
            out.append(f"  feedback  {who}: {path}")
        if self.unknown_articles:
            out.append(
                f"  {self.unknown_articles} audit suspects name articles that are no task of "
                "this project"
            )
        return out


def quarantined(validation: Path) -> dict[str, set[int]]:
    """Error code -> the quarantined task ids with an error of that code."""
    tasks = {r.get("task_id") for r in feedback.read_rows(validation / "quarantine.jsonl")}
    out: dict[str, set[int]] = {}
    for issue in feedback.read_rows(validation / "issues.jsonl"):
        tid = issue.get("task_id")
        if tid in tasks and type(tid) is int and issue.get("severity", "error") == "error":
            out.setdefault(issue["code"], set()).add(tid)
    return out


def low_agreement(agreement: Path, below: float) -> set[int]:
    path = agreement / "agreement.json"
    try:
        figures = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as e:
        raise InputError(
            f"{path}: cannot read it ({e}); give the --out of annotate agreement"
        ) from None
    return {
        d["task_id"]
        for d in figures.get("lowest") or ()
        if type(d.get("task_id")) is int and d.get("f1") is not None and d["f1"] < below
    }


def audit_suspects(audit: Path) -> dict[str, set[str]]:
    """Suspect kind -> the article ids of its suspects."""
    out: dict[str, set[str]] = {}
    for row in feedback.read_rows(audit / "audit.jsonl"):
        ids = row.get("article_ids") or ()
        out.setdefault(str(row.get("kind", "suspect")), set()).update(
            a for a in ids if isinstance(a, str)
        )
    return out


def _filters(task_ids: list[int]) -> dict[str, Any]:
    return {
        "conjunction": "and",
        "items": [
            {
                "filter": "filter:tasks:id",
                "operator": "in_list",
                "type": "Number",
                "value": task_ids,
            }
        ],
    }


def view_task_ids(view: dict[str, Any]) -> list[int] | None:
    """The task ids an akhbar tab filters on, as Label Studio returns it."""
    data = view.get("data") or {}
    items = (data.get("filters") or {}).get("items") or []
    if len(items) == 1 and items[0].get("operator") == "in_list":
        value = items[0].get("value")
        return sorted(value) if isinstance(value, list) else None
    return None


def review_project(conn: Connection, opts: ReviewOptions) -> ReviewReport:
    """Create, update or remove the project's akhbar review tabs; see the module docstring."""
    if opts.validation is None and opts.agreement is None and opts.audit is None:
        raise UsageError("give --validation, --agreement or --audit: what to review")
    wanted: dict[str, set[int]] = {}
    if opts.validation is not None:
        for code, ids in sorted(quarantined(Path(opts.validation)).items()):
            wanted[f"{PREFIX}quarantined {code}"] = ids
    if opts.agreement is not None:
        wanted[f"{PREFIX}low agreement"] = low_agreement(Path(opts.agreement), opts.min_agreement)
    suspects = audit_suspects(Path(opts.audit)) if opts.audit is not None else {}
    report = ReviewReport(opts.project)
    with Client.connect(conn) as client:
        project = client.find_project(opts.project)
        if project is None:
            raise InputError(f"{client.url} has no project titled {opts.project!r}")
        pid = project["id"]
        if suspects:
            by_article: dict[str, list[int]] = {}
            for t in client.iter_tasks(pid, include="id,data"):
                aid = (t.get("data") or {}).get("article_id")
                by_article.setdefault(aid, []).append(t["id"])
            for kind, articles in sorted(suspects.items()):
                ids = {tid for a in articles for tid in by_article.get(a, ())}
                report.unknown_articles += sum(a not in by_article for a in articles)
                wanted[f"{PREFIX}audit {kind}"] = ids
        existing = {
            (v.get("data") or {}).get("title"): v
            for v in _views(client, pid)
            if str((v.get("data") or {}).get("title") or "").startswith(PREFIX)
        }
        for title, ids in wanted.items():
            task_ids = sorted(ids)
            view = existing.pop(title, None)
            if not task_ids:
                if view is not None:
                    _delete(client, view["id"])
                    report.removed.append(title)
                continue
            report.tabs[title] = task_ids
            data = {"title": title, "type": "list", "filters": _filters(task_ids)}
            if view is None:
                _call(client, "POST /api/dm/views", "create", data=data, project=pid)
                report.created.append(title)
            elif view_task_ids(view) == task_ids:
                report.unchanged.append(title)
            else:
                _call(client, f"PATCH /api/dm/views/{view['id']}", "update", str(view["id"]),
                      data={**(view.get("data") or {}), **data}, project=pid)  # fmt: skip
                report.updated.append(title)
        for title, view in existing.items():  # an akhbar tab of a reason no longer given
            if _reason_given(title, opts):
                _delete(client, view["id"])
                report.removed.append(title)
    if opts.feedback is not None:
        report.feedback = feedback.write_feedback(
            Path(opts.feedback), opts.validation, opts.agreement, opts.audit
        )
    return report


def _reason_given(title: str, opts: ReviewOptions) -> bool:
    """Whether this run speaks for the tab's reason (a tab of an input not given is kept)."""
    reason = title.removeprefix(PREFIX)
    if reason.startswith("quarantined "):
        return opts.validation is not None
    if reason == "low agreement":
        return opts.agreement is not None
    return reason.startswith("audit ") and opts.audit is not None


def _views(client: Client, project_id: int) -> list[dict[str, Any]]:
    found = client.call(
        "GET /api/dm/views",
        lambda o: [plain(v) for v in client.sdk.views.list(project=project_id, request_options=o)],
        retry=True,
    )
    return [v for v in found if isinstance(v, dict) and "id" in v]


def _call(client: Client, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
    fn = getattr(client.sdk.views, method)
    return client.call(what, lambda o: plain(fn(*args, **kwargs, request_options=o)), retry=False)


def _delete(client: Client, view_id: Any) -> None:
    client.call(
        f"DELETE /api/dm/views/{view_id}",
        lambda o: client.sdk.views.delete(str(view_id), request_options=o),
        retry=True,
    )
