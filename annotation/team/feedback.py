"""One feedback report per annotator: their own problems only, and what to read about each.

``feedback/<annotator>.md`` (annotators named by e-mail where the snapshot's manifest has it,
by user id otherwise) holds: the tasks of theirs that a validation quarantined, with each
error's code, message and excerpt (Arabic in right-to-left isolates, as the other reports);
their agreement with each other annotator (an agreement's ``pairs``) and with all the others
per label and event type (its ``by_annotator``); the audit suspects in
their annotations (an audit row names its annotators where known); and, for each kind of
problem found, the part of the annotator's guide to read again. Nothing of another annotator
appears in a report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.team.annotator_versions import annotator_emails
from akhbar.annotation.validate.report import isolate, isolate_quoted
from akhbar.corpus.runtime.publish import Output
from akhbar.schemas.checks import CHECKS
from akhbar.schemas.errors import InputError

SUMMARY = "feedback.json"
GUIDE = "the annotator's guide (docs/guidelines.md)"
# What to read again for a check code's family (its first three characters) and an audit kind.
READ_FOR_CODE = {
    "AK0": f"{GUIDE}, Step by step: submit what Label Studio shows, nothing edited by hand",
    "AK10": f"{GUIDE}, Where spans go wrong: a span's edges, digits and Latin inside Arabic",
    "AK11": f"{GUIDE}, The guidelines: the entity and event label tables (which label where)",
    "AK12": f"{GUIDE}, Step by step 3 and each event's roles in The guidelines: one relation "
    "from the trigger to each argument, a role the event has, an entity type the role allows",
    "AK13": f"{GUIDE}, Step by step 4: submit once; drafts come back when a task is reopened",
    "AK14": f"{GUIDE}, Where spans go wrong: no space, punctuation or half word inside a span",
    "AK15": "nothing: the task's article, not the annotation, is at fault (the curator's)",
}
# The first key found in a kind's name (audit/run.py's KINDS) says what to read.
READ_FOR_AUDIT = {
    "entity_type": f"{GUIDE}, The guidelines: the entity label table, the same string the "
    "same type",
    "missed": f"{GUIDE}, The guidelines: every mention of an entity is marked, not the first",
    "boundary": f"{GUIDE}, Where spans go wrong: proclitics, ال and titles at a span's edges",
    "trigger": f"{GUIDE}, The guidelines: the event table, the same word the same event type",
    "model": f"{GUIDE}, The guidelines: the label tables (a model trained on the release "
    "disagrees with this annotation)",
}


def read_for_code(code: str) -> str:
    return READ_FOR_CODE.get(code[:4]) or READ_FOR_CODE.get(code[:3]) or GUIDE


def read_for_audit(kind: str) -> str:
    return next((v for k, v in READ_FOR_AUDIT.items() if k in kind), GUIDE)


@dataclass
class Feedback:
    """What one annotator is told."""

    quarantined: list[dict[str, Any]] = field(default_factory=list)  # error issues
    pairs: list[dict[str, Any]] = field(default_factory=list)  # with each other annotator
    # their agreement with the others per label and event type (agreement's by_annotator)
    by_label: dict[str, Any] = field(default_factory=dict)
    suspects: list[dict[str, Any]] = field(default_factory=list)  # audit rows


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a JSON Lines output of validate or audit; one line naming the file (and
    the line) if it is missing or not JSON. Also used by ``review_tabs``."""
    try:
        with path.open("rb") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield orjson.loads(line)
                    except orjson.JSONDecodeError as e:
                        raise InputError(
                            f"{path}:{n}: not JSON ({e}); give the file as written"
                        ) from None
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such file; give the --out of the command that wrote it"
        ) from None


def _names(validation: Path) -> dict[str, str]:
    """User id -> e-mail from the manifest of the snapshot the validation read."""
    try:
        snap = orjson.loads((validation / "validation.json").read_bytes())["snapshot"]["path"]
    except (OSError, KeyError, TypeError, orjson.JSONDecodeError):
        return {}
    return annotator_emails(Path(snap))


def _who(completed_by: Any, names: dict[str, str]) -> str | None:
    if isinstance(completed_by, dict):
        if completed_by.get("email"):
            return str(completed_by["email"])
        completed_by = completed_by.get("id")
    if completed_by is None:
        return None
    return names.get(str(completed_by), str(completed_by))


def collect(
    validation: Path | None, agreement: Path | None, audit: Path | None
) -> dict[str, Feedback]:
    """Annotator -> their feedback, from whichever outputs are given."""
    out: dict[str, Feedback] = {}
    # Documents (and so the audit) name an annotator by user id; the snapshot's manifest
    # gives the e-mail that agreement uses, so that one person gets one report.
    names = _names(validation) if validation is not None else {}
    if validation is not None:
        for rec in read_rows(validation / "quarantine.jsonl"):
            anns = {a.get("id"): a for a in (rec.get("task") or {}).get("annotations") or ()}
            for issue in rec.get("errors") or ():
                ann = anns.get(issue.get("annotation_id"))
                who = _who(ann.get("completed_by"), names) if ann else None
                if who is not None:
                    out.setdefault(who, Feedback()).quarantined.append(issue)
    if agreement is not None:
        figures = orjson.loads((agreement / "agreement.json").read_bytes())
        for p in figures.get("pairs") or ():
            for me, other in ((p["a"], p["b"]), (p["b"], p["a"])):
                out.setdefault(me, Feedback()).pairs.append({**p, "other": other})
        for me, mine in (figures.get("by_annotator") or {}).items():
            out.setdefault(me, Feedback()).by_label = mine
    if audit is not None:
        for row in read_rows(audit / "audit.jsonl"):
            whom = row.get("annotators") or row.get("annotator") or ()
            for who in [whom] if isinstance(whom, str) else whom:
                out.setdefault(_who(who, names) or str(who), Feedback()).suspects.append(row)
    return out


def _f(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}"


def _by_label(figures: dict[str, Any]) -> list[str]:
    """The table of one annotator's agreement with the others per label and event type."""
    ents, events = figures.get("entities") or {}, figures.get("events") or {}
    if not ents and not events:
        return []
    lines = [
        "",
        "Per label, with all the others together (the lowest first: where to look):",
        "",
        "| label | exact F1 | overlap F1 | yours | theirs |",
        "|---|---|---|---|---|",
    ]

    def low(item: tuple[str, dict[str, Any]], f: str) -> tuple[float, str]:
        x = item[1].get(f)
        return (2.0 if x is None else x, item[0])

    for label, r in sorted(ents.items(), key=lambda i: low(i, "exact_f1")):
        lines.append(
            f"| {label} | {_f(r.get('exact_f1'))} | {_f(r.get('overlap_f1'))} "
            f"| {r.get('mine')} | {r.get('theirs')} |"
        )
    if events:
        lines += ["", "| event type | trigger F1 | argument F1 |", "|---|---|---|"]
        for typ, r in sorted(events.items(), key=lambda i: low(i, "trigger_f1")):
            lines.append(f"| {typ} | {_f(r.get('trigger_f1'))} | {_f(r.get('argument_f1'))} |")
    return lines


def render(who: str, fb: Feedback, audited: bool = True) -> str:
    lines = [f"# Feedback for {who}", ""]
    reading: dict[str, str] = {}
    lines += ["## Your quarantined tasks", ""]
    if not fb.quarantined:
        lines.append("None: every annotation of yours that was validated passed.")
    for i in sorted(fb.quarantined, key=lambda i: (str(i.get("task_id")), i["code"])):
        name = CHECKS[i["code"]].name if i["code"] in CHECKS else i.get("name", "")
        lines.append(
            f"- task {i.get('task_id')} (article {i.get('article_id')}): **{i['code']}** "
            f"{name}: {isolate_quoted(str(i.get('message', '')))}"
        )
        if i.get("context"):
            lines.append(f"  - excerpt: {isolate(str(i['context']))}")
        reading[i["code"]] = read_for_code(i["code"])
    lines += ["", "## Your agreement with the others", ""]
    if fb.pairs:
        lines += [
            "| with | shared documents | entities, exact F1 | token kappa | trigger F1 "
            "| argument F1 |",
            "|---|---|---|---|---|---|",
        ]
        for p in sorted(fb.pairs, key=lambda p: str(p["other"])):
            lines.append(
                f"| {p['other']} | {p.get('documents')} | {_f(p.get('entities_exact_f1'))} "
                f"| {_f(p.get('token_kappa'))} | {_f(p.get('trigger_f1'))} "
                f"| {_f(p.get('argument_f1'))} |"
            )
        lines += _by_label(fb.by_label)
    else:
        lines.append("No article of yours was also annotated by someone else.")
    lines += ["", "## Audit suspects in your annotations", ""]
    if not fb.suspects:
        lines.append("None." if audited else "No audit was given.")
    for row in sorted(fb.suspects, key=lambda r: -float(r.get("score") or 0)):
        kind = str(row.get("kind", "suspect"))
        arts = ", ".join(map(str, row.get("article_ids") or ()))
        lines.append(f"- {kind} (score {_f(row.get('score'))}): articles {arts}")
        for ex in ((row.get("evidence") or {}).get("excerpts") or ())[:3]:
            lines.append(f"  - {isolate(str(ex))}")
        reading[kind] = read_for_audit(kind)
    lines += ["", "## What to read again", ""]
    if not reading:
        lines.append("Nothing in particular: keep going.")
    for kind, where in sorted(reading.items()):
        lines.append(f"- {kind}: {where}")
    return "\n".join(lines) + "\n"


def file_name(who: str) -> str:
    """A file name for an annotator (an e-mail keeps its @ and dots)."""
    return re.sub(r"[^\w.@+-]", "_", who) + ".md"


def write_feedback(
    out_dir: Path, validation: Path | None, agreement: Path | None, audit: Path | None
) -> dict[str, Path]:
    """Write ``<annotator>.md`` for every annotator found, all at once; annotator -> path."""
    found = collect(validation, agreement, audit)
    output = Output(Path(out_dir), replace=True, marker=SUMMARY, what="feedback output")
    written: dict[str, Path] = {}
    with output:
        for who, fb in sorted(found.items()):
            name = file_name(who)
            (output.path / name).write_text(render(who, fb, audit is not None), encoding="utf-8")
            written[who] = Path(out_dir) / name
        summary = {
            who: {
                "file": file_name(who),
                "quarantined": len(fb.quarantined),
                "pairs": len(fb.pairs),
                "suspects": len(fb.suspects),
            }
            for who, fb in sorted(found.items())
        }
        (output.path / SUMMARY).write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
        output.commit()
    return written
