"""The audit as a person reads it: ``audit.md``.

Arabic spans and excerpts are wrapped in Unicode isolates (as the validation and agreement
reports do, :func:`akhbar.annotation.validate.report.isolate`), so each is laid out right to
left on its own and the English around it keeps its order.
"""

from __future__ import annotations

from typing import Any

from akhbar.annotation.validate.report import isolate

SHOWN = 20  # suspects shown per kind; audit.jsonl has them all


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """A few lines: what was read and how many suspects of each kind (the command's output)."""
    kinds = ", ".join(f"{n} {k}" for k, n in summary["by_kind"].items() if n)
    return [
        f"{summary['documents']} documents ({summary['input']['kind']}), "
        f"{summary['entities']} entities, {summary['triggers']} triggers audited",
        f"  suspects  {summary['suspects']} scored ≥ {summary['min_score']}"
        + (f": {kinds}" if kinds else ""),
    ]


def _suspect(s: dict[str, Any]) -> str:
    where = s["article_ids"][0] + (f" (task {s['task_ids'][0]})" if s["task_ids"] else "")
    name = s.get("annotator_email") or s.get("annotator")
    who = f", {name}" if name else ""
    return (
        f"- **{s['score']:.2f}** {isolate(s['span']['text'])} in {where}{who}: {s['why']}  \n"
        f"  {isolate(s['evidence']['excerpts'][0])}"
    )


def markdown(summary: dict[str, Any], suspects: list[dict[str, Any]]) -> str:
    out = ["# Annotation audit", ""]
    out += [line.strip() + "  " for line in summary_lines(summary)] + [""]
    out += ["## Suspects by kind", ""]
    out += _table(
        ["kind", "suspects", "how it is found"],
        [[k, n, summary["method"][k]] for k, n in summary["by_kind"].items()],
    )
    kinds = [k for k, n in summary["by_kind"].items() if n]
    out += ["## Per annotator", ""]
    emails = summary.get("annotator_emails") or {}
    out += _table(
        ["annotator", "documents", *kinds],
        [
            [f"{emails[a]} ({a})" if a in emails else a, c.get("documents", 0)]
            + [c.get(k, 0) for k in kinds]
            for a, c in summary["by_annotator"].items()
        ],
    )
    out += ["## Per label", ""]
    out += _table(
        ["label", *kinds],
        [[lab, *(c.get(k, 0) for k in kinds)] for lab, c in summary["by_label"].items()],
    )
    for k in kinds:
        mine = [s for s in suspects if s["kind"] == k]
        out += [f"## {k}: the {min(SHOWN, len(mine))} most likely of {len(mine)}", ""]
        out += [_suspect(s) for s in mine[:SHOWN]] + [""]
    return "\n".join(out) + "\n"
