"""The validation report, for a terminal or as JSON.

Arabic is right-to-left; a terminal line of English with Arabic spans inside is reordered by
the terminal's bidi algorithm, which can move brackets and ellipses to the wrong end. Each
excerpt is therefore wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE (U+2068 ..
U+2069), so it is laid out on its own, right-to-left when it starts with Arabic, and the span is
marked with brackets inside it. Control characters and stray bidi controls in the text are shown
as visible escapes so they cannot disturb the line.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from akhbar.annotation.validate.run import ValidationResult
from akhbar.schemas.checks import CHECKS, ERROR

FSI, PDI = "\u2068", "\u2069"
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
# embeddings, overrides and isolates (LRM/RLM/ALM are harmless marks and stay)
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_CONTROL = {"\n": "⏎", "\r": "␍", "\t": "⇥"}


def visible(text: str) -> str:
    """Text safe to print on one line: newlines and bidi controls made visible."""
    for k, v in _CONTROL.items():
        text = text.replace(k, v)
    return _BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def isolate(text: str) -> str:
    """One excerpt, laid out by its own first strong character."""
    return FSI + visible(text) + PDI


def isolate_quoted(message: str) -> str:
    """Wrap quoted strings holding Arabic in isolates, so the sentence around keeps its order."""
    message = visible(message)
    return _QUOTED.sub(
        lambda m: isolate(m.group()) if _ARABIC.search(m.group()) else m.group(), message
    )


def _where(issue: dict[str, Any]) -> str:
    parts = [f"task {issue['task_id']}"] if issue.get("task_id") is not None else []
    if issue.get("annotation_id") is not None:
        parts.append(f"annotation {issue['annotation_id']}")
    if issue.get("region_id"):
        parts.append(f"region {issue['region_id']}")
    parts.append(issue["pointer"] or "/")
    return " · ".join(parts)


def render_text(result: ValidationResult) -> str:
    s = result.summary
    c = s["counts"]
    t, a = c["tasks"], c["annotations"]
    v = c["valid_annotations"]
    documents_in = s.get("input") == "documents"
    lines = [
        f"{'documents' if documents_in else 'snapshot'} {s['snapshot']['path']} "
        f"(sha256 {(s['snapshot']['sha256'] or '')[:12]}…)",
        f"corpus {s['corpus']['path']} ({s['corpus']['articles']} articles) · taxonomy "
        f"{s['taxonomy']['name']}@{s['taxonomy']['version']}",
    ]
    if documents_in:  # one annotation per document: the task and annotation counts say the same
        lines.append(
            f"documents {t['total']}: {t['documented']} valid, {t['quarantined']} quarantined"
        )
    else:
        lines += [
            f"tasks {t['total']}: {t['documented']} documented, {t['quarantined']} quarantined, "
            f"{t['all_cancelled']} all cancelled, {t['unannotated']} unannotated",
            f"annotations {a['total']}: {a['valid']} valid ({v['selected']} selected, "
            f"{v['superseded']} superseded), {a['quarantined']} quarantined, "
            f"{a['cancelled']} cancelled or skipped",
        ]
    lines.append(f"issues: {c['issues']['errors']} errors, {c['issues']['warnings']} warnings")
    unresolved = c.get("unresolved", {}).get("task_ids") or []
    if unresolved:
        ids = ", ".join(map(str, unresolved[:20])) + (" …" if len(unresolved) > 20 else "")
        lines.append(
            f"warning: {len(unresolved)} tasks annotated by several people are released "
            f"unresolved (one version taken, the others superseded): tasks {ids}; propose with "
            f"akhbar annotate adjudicate --push and have an adjudicator resolve them"
        )
    codes = sorted(c["by_code"], key=lambda k: (CHECKS[k].severity != ERROR, k))
    for code in codes:
        check = CHECKS[code]
        n = c["by_code"][code]["count"]
        lines += ["", f"{code} {check.name} · {check.severity} · {n} — {check.explanation}"]
        shown = result.examples.get(code, [])
        for issue in shown:
            lines.append(f"  {_where(issue)}")
            lines.append(f"    {isolate_quoted(issue['message'])}")
            if issue.get("context"):
                lines.append(f"    {isolate(issue['context'])}")
        if n > len(shown):
            lines.append(f"  … and {n - len(shown)} more in issues.jsonl")
    out = result.out_dir
    lines += [
        "",
        f"wrote {out / 'documents.jsonl'} ({c['documents']} documents), "
        f"{out / 'quarantine.jsonl'} ({c['quarantine_records']} "
        f"{'documents' if documents_in else 'tasks'}), "
        f"{out / 'issues.jsonl'}, {out / 'validation.json'}",
    ]
    return "\n".join(lines)


def render_json(result: ValidationResult) -> str:
    doc = {**result.summary, "examples": result.examples, "exit_code": result.exit_code}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode("utf-8")


def one_line(result: ValidationResult) -> str:
    """The reason for a non-zero exit, in one line."""
    c = result.counts
    return (
        f"{c['annotations']['quarantined']} annotation(s) in {c['quarantine_records']} task(s) "
        f"quarantined with {c['issues']['errors']} error(s); see "
        f"{result.out_dir / 'quarantine.jsonl'}"
    )
