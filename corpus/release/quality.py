"""The release's annotation quality: the agreement it was given, checked, copied and described.

``akhbar release build --agreement DIR`` takes ``DIR/agreement.json`` as written by
``akhbar annotate agreement`` (a file, so that releases never import the annotation layer),
copies it into the release (unchanged but for the snapshot's path, which is reduced to its file
name: a released file never records where the inputs were), records it in the manifest and
renders the card's "Annotation quality" section from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from akhbar.corpus.file_digest import sha256_file
from akhbar.schemas.errors import InputError
from akhbar.schemas.shape import check_shape

FILE = "agreement.json"


def read_agreement(directory: Path) -> tuple[dict[str, Any], bytes]:
    """The agreement figures of ``DIR/agreement.json`` and the file's bytes."""
    path = Path(directory) / FILE
    if not path.is_file():
        raise InputError(
            f"--agreement {directory}: no {FILE} there; give the --out of akhbar annotate agreement"
        )
    raw = path.read_bytes()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise InputError(
            f"{path}: not valid JSON ({e}); run akhbar annotate agreement again"
        ) from e
    return check_shape(data, "agreement_summary", str(path), InputError), raw


def released_copy(data: dict[str, Any], raw: bytes) -> bytes:
    """The bytes of the release's ``agreement.json``: the file as ``annotate agreement`` wrote
    it, with ``snapshot.path`` reduced to its name (the same bytes when it is a name already)."""
    snapshot = data.get("snapshot")
    path = snapshot.get("path") if isinstance(snapshot, dict) else None
    if not isinstance(path, str) or path == Path(path).name:
        return raw
    named = {**data, "snapshot": {**snapshot, "path": Path(path).name}}
    return orjson.dumps(named, option=orjson.OPT_INDENT_2) + b"\n"


def manifest_entry(data: dict[str, Any], path: Path, snapshot_sha256: str | None) -> dict[str, Any]:
    """What the manifest records of the agreement."""
    sha, size = sha256_file(path)
    snap = (data.get("snapshot") or {}).get("sha256")
    return {
        "file": FILE,
        "source": {"path": path.name, "sha256": sha, "bytes": size},  # named, not located
        "documents": data["documents"],
        "annotators": len(data["annotators"]),
        "snapshot_sha256": snap,
        "same_snapshot": snap is not None and snap == snapshot_sha256,
    }


def _fmt(x: float | None, ci: list[float] | None = None) -> str:
    if x is None:
        return "–"
    return f"{x:.3f}" if not ci else f"{x:.3f} ({ci[0]:.3f}–{ci[1]:.3f})"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def section(data: dict[str, Any], entry: dict[str, Any]) -> str:
    """The card's "Annotation quality" section."""
    e, v = data["entities"], data["events"]
    ci = data.get("intervals") or {}
    read = data.get("read") or {}
    per = data.get("annotators_per_document") or {}
    how_many = ", ".join(f"{n:,} by {k}" for k, n in sorted(per.items(), key=lambda kv: int(kv[0])))
    out = [
        "## Annotation quality\n",
        f"{data['documents']:,} articles were annotated independently by two or more of "
        f"{len(data['annotators'])} annotators ({how_many or 'none'}); "
        f"{read.get('single', 0):,} were annotated by one person. Agreement is measured on the "
        "articles annotated more than once, before adjudication"
        + (
            "."
            if entry["same_snapshot"]
            else " (from a different Label Studio snapshot than the one this release was "
            "validated from)."
        )
        + " Brackets hold 95% bootstrap confidence intervals over documents"
        + (f" ({data['interval_method']})" if data.get("interval_method") else "")
        + ".\n",
        _table(
            ["measure", "value (95% CI)"],
            [
                ["entities, exact: precision", _fmt(e["exact"]["precision"])],
                ["entities, exact: recall", _fmt(e["exact"]["recall"])],
                ["entities, exact: F1", _fmt(e["exact"]["f1"], ci.get("entities.exact.f1"))],
                ["entities, overlap: F1", _fmt(e["overlap"]["f1"], ci.get("entities.overlap.f1"))],
                [
                    "tokens: Krippendorff's alpha",
                    _fmt(e["token_alpha"], ci.get("entities.token_alpha")),
                ],
                [
                    "tokens: Cohen's kappa, mean over pairs",
                    _fmt(e["token_kappa_mean"], ci.get("entities.token_kappa_mean")),
                ],
                ["event triggers: F1", _fmt(v["trigger"]["f1"], ci.get("events.trigger.f1"))],
                ["event arguments: F1", _fmt(v["argument"]["f1"], ci.get("events.argument.f1"))],
            ],
        )
        + "\n",
        "### Per entity label\n",
        _table(
            ["label", "exact F1", "overlap F1", "mentions"],
            [
                [
                    label,
                    _fmt(x["exact_f1"], ci.get(f"entities.by_label.{label}.exact_f1")),
                    _fmt(x["overlap_f1"], ci.get(f"entities.by_label.{label}.overlap_f1")),
                    x["support"],
                ]
                for label, x in e["by_label"].items()
            ],
        )
        + "\n",
        "### Per event type\n",
        _table(
            ["type", "trigger F1", "argument F1"],
            [
                [
                    typ,
                    _fmt(x["trigger_f1"], ci.get(f"events.by_type.{typ}.trigger_f1")),
                    _fmt(x["argument_f1"], ci.get(f"events.by_type.{typ}.argument_f1")),
                ]
                for typ, x in v["by_type"].items()
            ],
        )
        + "\n",
    ]
    res = data.get("resolution") or {}
    if res:
        out.append(
            "### How disagreements were resolved\n\n"
            f"Of the {res.get('shared', 0):,} articles annotated more than once, "
            f"{res.get('adjudicated', 0):,} were resolved by an adjudicator, who reviewed a "
            "proposal keeping what most annotators agreed on (`akhbar annotate adjudicate`) "
            "against each annotator's version and submitted the result as ground truth. "
            f"Policy: {res.get('policy', '')}.\n"
        )
    defs = data.get("definitions") or {}
    if defs:
        out.append(
            "### Definitions\n\n" + "\n".join(f"- **{k}**: {d}" for k, d in defs.items()) + "\n"
        )
    out.append(
        f"The figures, per annotator pair too, are in `{FILE}` "
        f"(sha256 `{entry['source']['sha256'][:16]}…`).\n"
    )
    return "\n".join(out)
