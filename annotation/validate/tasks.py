"""One task of an export, checked and converted: schema, corpus, semantic checks, selection.

:class:`TaskChecker` holds what every task needs (the compiled schema validators, the taxonomy
as lookups, the corpus as article id -> text digest) and turns one parsed task into a
:class:`TaskOutcome`. It is built once per process; the work per task is kept small because an
export can hold a hundred thousand tasks.

Every annotation ends in exactly one of: ``selected`` (its document is written),
``superseded`` (valid, but the policy picked another), ``quarantined`` (errors), ``cancelled``
(skipped by the annotator; never validated or converted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import jsonschema_rs

from akhbar.annotation.labelstudio.convert import select, to_document
from akhbar.annotation.labelstudio.resolution import is_resolution, proposals
from akhbar.annotation.labelstudio.result_checks import (
    Rules,
    check_annotation,
    export_schema,
    result_validators,
    schema_issues,
)
from akhbar.corpus.store import text_digest
from akhbar.schemas.checks import CHECKS, ERROR, Issue, short

DOCUMENTED = "documented"  # a document was written
QUARANTINED = "quarantined"  # errors; no document
ALL_CANCELLED = "all_cancelled"  # every annotation was skipped
UNANNOTATED = "unannotated"  # no annotation at all
TASK_STATUSES = (DOCUMENTED, QUARANTINED, ALL_CANCELLED, UNANNOTATED)


@dataclass(slots=True)
class TaskOutcome:
    task_id: Any
    article_id: str | None
    status: str
    selected: int = 0
    superseded: int = 0
    quarantined: int = 0
    cancelled: int = 0
    drafts: int = 0
    predictions: int = 0
    # 1 when the task holds valid versions by several annotators and no adjudicator's
    # resolution: one version is released, the others superseded
    unresolved: int = 0
    document: dict[str, Any] | None = None
    issues: list[Issue] = field(default_factory=list)
    quarantined_ids: list[Any] = field(default_factory=list)
    # with ``check(task, every_version=True)``: a document of every valid, non-cancelled
    # annotation, in export order (agreement compares them)
    versions: list[dict[str, Any]] | None = None

    @property
    def annotations(self) -> int:
        return self.selected + self.superseded + self.quarantined + self.cancelled


class TaskChecker:
    """Checks and converts tasks; see the module docstring."""

    def __init__(
        self,
        rules: Rules,
        corpus: dict[str, str],
        corpus_text: Callable[[str], str | None],
        emails: dict[str, str] | None = None,
    ) -> None:
        self.rules = rules
        self.emails = emails or {}  # user id -> e-mail (the snapshot's manifest)
        self.corpus = corpus
        self.corpus_text = corpus_text
        schema = export_schema()
        self.fast = jsonschema_rs.validator_for(schema)
        self.detail = jsonschema.Draft202012Validator(schema)
        self.fast_result, self.detail_result = result_validators()

    def schema_issues(self, task: Any) -> list[Issue]:
        """Every schema error of a task the fast validator rejected, with codes."""
        errors = sorted(self._schema_errors(task), key=lambda e: list(map(str, e.path)))
        return [i for e in errors for i in schema_issues(e)]

    def _schema_errors(self, task: Any) -> Iterator[Any]:
        """jsonschema's errors of a task, as if it walked the whole task.

        Walking forty results in pure Python costs milliseconds, and usually one of them is
        wrong. So the task is walked with its result lists left empty, and only the results
        the compiled validator rejects are walked on their own, their errors placed at their
        position in the task. Errors at distinct paths are sorted by path afterwards, and the
        errors of one result come in the order a walk of the whole task yields them.
        """
        anns = task.get("annotations") if isinstance(task, dict) else None
        if not isinstance(anns, list):
            yield from self.detail.iter_errors(task)
            return
        stripped = [
            {**a, "result": []} if isinstance(a, dict) and isinstance(a.get("result"), list) else a
            for a in anns
        ]
        yield from self.detail.iter_errors({**task, "annotations": stripped})
        for k, a in enumerate(anns):
            if stripped[k] is a:
                continue
            for j, r in enumerate(a["result"]):
                if self.fast_result.is_valid(r):
                    continue
                for e in self.detail_result.iter_errors(r):
                    e.path.extendleft(reversed(("annotations", k, "result", j)))
                    yield e

    def check(self, task: Any, every_version: bool = False) -> TaskOutcome:
        if self.fast.is_valid(task):
            return self._judge(task, {}, every_version)
        issues = self.schema_issues(task)
        if not issues:  # the two validators disagree: never let such a task through
            issues = [
                Issue(
                    "AK001",
                    "the compiled validator rejects this task but jsonschema finds no error; "
                    "report this with the task",
                    "",
                )
            ]
        if not isinstance(task, dict):
            _fill(issues, None, None)
            return TaskOutcome(None, None, QUARANTINED, issues=issues)
        anns = task.get("annotations")
        if isinstance(anns, list) and all(i.path.startswith("/annotations/") for i in issues):
            broken: dict[int, list[Issue]] = {}
            for i in issues:
                broken.setdefault(int(i.path.split("/")[2]), []).append(i)
            return self._judge(task, broken, every_version)
        # the task itself is broken: every annotation that was not skipped is quarantined
        tid = task.get("id")
        data = task.get("data")
        aid = data.get("article_id") if isinstance(data, dict) else None
        aid = aid if isinstance(aid, str) else None
        out = TaskOutcome(tid, aid, QUARANTINED, issues=issues)
        for a in anns if isinstance(anns, list) else ():
            if _cancelled(a):
                out.cancelled += 1
            else:
                out.quarantined += 1
                out.quarantined_ids.append(a.get("id") if isinstance(a, dict) else None)
        _fill(issues, tid, aid)
        for i in issues:
            i.annotation_id = _annotation_id(anns, i.path)
        return out

    def _judge(
        self, task: dict[str, Any], broken: dict[int, list[Issue]], every_version: bool = False
    ) -> TaskOutcome:
        """A task whose own fields are sound; ``broken`` holds the schema errors of the
        annotations that have some (those are quarantined without further checks)."""
        data = task["data"]
        text = data["text"]
        aid = data["article_id"]
        anns = task["annotations"]
        out = TaskOutcome(task["id"], aid, UNANNOTATED)
        out.drafts = len(task.get("drafts") or ())
        out.predictions = len(task.get("predictions") or ())
        if not anns:
            return out
        # skipped work is not judged, whatever its results hold
        cands = [(k, a) for k, a in enumerate(anns) if not _cancelled(a)]
        out.cancelled = len(anns) - len(cands)
        if not cands:
            out.status = ALL_CANCELLED
            return out
        task_issues: list[Issue] = []
        corpus_text = None
        digest = self.corpus.get(aid)
        if digest is None:
            task_issues.append(
                Issue(
                    "AK150",
                    f"article {aid!r} is not in the corpus; validate against the corpus the "
                    "tasks were pushed from",
                    "/data/article_id",
                )
            )
        elif text_digest(text) != digest:
            corpus_text = self.corpus_text(aid)
            task_issues.append(_drift(text, corpus_text))
        if task_issues:
            out.issues.extend(task_issues)
        checked = {}
        bad: set[int] = set()
        for k, a in cands:
            if k in broken:
                found = broken[k]
                bad.add(k)
            else:
                c = check_annotation(a, k, text, self.rules, corpus_text)
                checked[k] = c
                found = c.issues
                if task_issues or (found and c.errors):
                    bad.add(k)
            if found:
                ann_id = a.get("id") if isinstance(a, dict) else None
                for i in found:
                    i.annotation_id = ann_id
                out.issues.extend(found)
        if task_issues:
            bad.update(k for k, _ in cands)
        found = proposals(task)
        pick, selection = select(cands, found.ids)
        if every_version:
            out.versions = [
                to_document(task, a, checked[k], "version", self.rules.tag, self.emails)
                for k, a in cands
                if k not in bad
            ]
        for k, a in cands:
            if k in bad:
                out.quarantined += 1
                out.quarantined_ids.append(a.get("id") if isinstance(a, dict) else None)
            elif k == pick:
                out.selected = 1
                out.document = to_document(
                    task, a, checked[k], selection, self.rules.tag, self.emails
                )
            else:
                out.superseded += 1
        out.status = DOCUMENTED if out.document is not None else QUARANTINED
        if out.document is not None and not any(is_resolution(a, found) for _, a in cands):
            who = {_annotator_key(a) for k, a in cands if k not in bad}
            out.unresolved = int(len(who) > 1)
        if out.issues:
            _fill(out.issues, out.task_id, aid)
        return out


def _annotator_key(a: Any) -> Any:
    """Who made an annotation (a user id, or the annotation itself when nobody is named)."""
    who = a.get("completed_by") if isinstance(a, dict) else None
    if isinstance(who, dict):
        who = who.get("id")
    return who if who is not None else ("annotation", id(a))


def _cancelled(a: Any) -> bool:
    return isinstance(a, dict) and a.get("was_cancelled") is True


def _annotation_id(anns: Any, path: str) -> Any:
    if not path.startswith("/annotations/") or not isinstance(anns, list):
        return None
    try:
        a = anns[int(path.split("/")[2])]
    except (ValueError, IndexError):
        return None
    return a.get("id") if isinstance(a, dict) else None


def _fill(issues: list[Issue], task_id: Any, article_id: str | None) -> None:
    for i in issues:
        i.task_id = task_id
        i.article_id = article_id


def _drift(text: str, corpus_text: str | None) -> Issue:
    if corpus_text is None:
        return Issue("AK104", "the task text differs from the corpus article", "/data/text")
    n = min(len(text), len(corpus_text))
    at = next((i for i in range(n) if text[i] != corpus_text[i]), n)
    return Issue(
        "AK104",
        f"the task text differs from the corpus article from code point {at}: task "
        f"{short(text[at : at + 20], 30)} vs corpus {short(corpus_text[at : at + 20], 30)} "
        f"({len(text)} vs {len(corpus_text)} code points); offsets would not fit the corpus "
        "text: re-push the article or validate against the corpus it came from",
        "/data/text",
        span=text[at : at + 20],
        context=corpus_text[max(0, at - 30) : at + 30],
        diagnosis="text_drift",
    )


def is_error(issue: Issue) -> bool:
    return CHECKS[issue.code].severity == ERROR
