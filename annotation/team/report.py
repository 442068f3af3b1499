"""The agreement as a person reads it: a Markdown report and a plot.

Arabic excerpts are wrapped in Unicode isolates (as in the validation report, see
:mod:`annotation.validate.report`), so each is laid out right to left on its own and the English around
it keeps its order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from akhbar.annotation.validate.report import isolate


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def with_ci(x: float | None, ci: list[float] | None) -> str:
    return fmt(x) if ci is None or x is None else f"{x:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def summary_lines(f: dict[str, Any]) -> list[str]:
    """The headline figures, a few lines (the terminal output of the command)."""
    e, v, ci = f["entities"], f["events"], f.get("intervals", {})
    read = f.get("read", {})
    lines = [
        f"{f['documents']} documents annotated by two or more of {len(f['annotators'])} "
        f"annotators ({read.get('tasks', '?')} tasks read, {read.get('invalid_annotations', 0)} "
        "invalid annotations not scored)",
        f"  entities  exact F1 {with_ci(e['exact']['f1'], ci.get('entities.exact.f1'))}, "
        f"overlap F1 {with_ci(e['overlap']['f1'], ci.get('entities.overlap.f1'))}",
        f"  tokens    alpha {with_ci(e['token_alpha'], ci.get('entities.token_alpha'))}, "
        f"mean kappa {with_ci(e['token_kappa_mean'], ci.get('entities.token_kappa_mean'))}",
        f"  events    trigger F1 {with_ci(v['trigger']['f1'], ci.get('events.trigger.f1'))}, "
        f"argument F1 {with_ci(v['argument']['f1'], ci.get('events.argument.f1'))}",
    ]
    return lines


def _difference(d: dict[str, Any]) -> str:
    what = f"{d['kind']} {d['label']} {isolate(d['text'])} [{d['start']}:{d['end']}]"
    if d["kind"] == "argument":
        what += f" of trigger {isolate(d['trigger'])}"
    return f"- {what}: marked by {', '.join(d['by'])}; not by {', '.join(d['not_by'])}"


def _by_annotator(f: dict[str, Any]) -> list[str]:
    """Each annotator's agreement with the others, per entity label and event type: exact
    F1, and in brackets how many mentions they and the others made in their shared documents
    (F1 is pulled down by whoever differs, so the counts say which way)."""
    by = f.get("by_annotator") or {}
    if not by:
        return []
    out = [
        "## Per annotator",
        "",
        "Each annotator against the others in the documents they share: exact F1, then "
        "(their mentions / the others' mentions, once per pair).",
        "",
    ]
    labels = list(f["entities"]["by_label"])
    if labels:
        rows = [
            [who] + [_cell(by[who]["entities"].get(lab), "exact_f1") for lab in labels]
            for who in by
        ]
        out += _table(["annotator", *labels], rows)
    types = list(f["events"]["by_type"])
    if types:
        rows = [
            [who] + [_cell(by[who]["events"].get(t), "trigger_f1") for t in types] for who in by
        ]
        out += ["Event triggers:", "", *_table(["annotator", *types], rows)]
    return out


def _cell(x: dict[str, Any] | None, key: str) -> str:
    if x is None:
        return "–"
    return f"{fmt(x[key])} ({x['mine']}/{x['theirs']})" if "mine" in x else fmt(x[key])


def markdown(f: dict[str, Any]) -> str:
    """The whole report."""
    ci = f.get("intervals", {})
    out = ["# Inter-annotator agreement", ""]
    out += [line.strip() + "  " for line in summary_lines(f)] + [""]
    if f.get("interval_method"):
        out += [f"Brackets: {f['interval_method']}.", ""]
    out += ["## Entities per label", ""]
    rows = [
        [
            label,
            with_ci(x["exact_f1"], ci.get(f"entities.by_label.{label}.exact_f1")),
            with_ci(x["overlap_f1"], ci.get(f"entities.by_label.{label}.overlap_f1")),
            x["support"],
        ]
        for label, x in f["entities"]["by_label"].items()
    ]
    out += _table(["label", "exact F1", "overlap F1", "mentions"], rows)
    out += ["## Events per type", ""]
    rows = [
        [typ, fmt(x["trigger_f1"]), fmt(x["argument_f1"])]
        for typ, x in f["events"]["by_type"].items()
    ]
    out += _table(["type", "trigger F1", "argument F1"], rows)
    out += ["## Annotator pairs", ""]
    rows = [
        [
            p["a"],
            p["b"],
            p["documents"],
            fmt(p["entities_exact_f1"]),
            fmt(p["token_kappa"]),
            fmt(p["trigger_f1"]),
            fmt(p["argument_f1"]),
        ]
        for p in f["pairs"]
    ]
    out += _table(
        ["a", "b", "documents", "entities exact F1", "token kappa", "trigger F1", "argument F1"],
        rows,
    )
    out += _by_annotator(f)
    out += ["## Documents with the lowest agreement", ""]
    for doc in f["lowest"]:
        out.append(
            f"### task {doc['task_id']} ({doc['article_id']}): F1 {fmt(doc['f1'])}, "
            f"{', '.join(doc['annotators'])}"
        )
        out.append("")
        out += [_difference(d) for d in doc["differences"]] or ["- (no differences)"]
        out.append("")
    out += ["## Definitions", ""]
    out += [f"- **{k}**: {v}" for k, v in f["definitions"].items()]
    return "\n".join(out) + "\n"


def plot(f: dict[str, Any], path: Path) -> None:
    """Pairwise entity F1 as a heat map, and exact/overlap F1 per label as bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = f["annotators"]
    n = len(names)
    heat = np.full((n, n), np.nan)
    pos = {a: i for i, a in enumerate(names)}
    for p in f["pairs"]:
        if p["entities_exact_f1"] is not None:
            i, j = pos[p["a"]], pos[p["b"]]
            heat[i, j] = heat[j, i] = p["entities_exact_f1"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    ax = axes[0]
    ax.set_title("Entity exact F1 per annotator pair")
    if n:
        im = ax.imshow(heat, vmin=0, vmax=1, cmap="viridis")
        ax.set_xticks(range(n), names, rotation=45, ha="right")
        ax.set_yticks(range(n), names)
        for i in range(n):
            for j in range(n):
                if not np.isnan(heat[i, j]):
                    ax.text(j, i, f"{heat[i, j]:.2f}", ha="center", va="center", color="w")
        fig.colorbar(im, ax=ax, fraction=0.046)
    else:  # nothing was annotated twice: a panel that says so
        ax.axis("off")
        ax.text(0.5, 0.5, "no document annotated by two people", ha="center",
                transform=ax.transAxes)  # fmt: skip
    ax = axes[1]
    labels = list(f["entities"]["by_label"])
    x = np.arange(len(labels))
    for k, (key, name) in enumerate((("exact_f1", "exact"), ("overlap_f1", "overlap"))):
        vals = [f["entities"]["by_label"][label][key] or 0 for label in labels]
        ax.bar(x + (k - 0.5) * 0.4, vals, 0.4, label=name)
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_title("Entity F1 per label")
    ax.legend()
    fig.suptitle(f"Inter-annotator agreement, {f['documents']} documents")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
