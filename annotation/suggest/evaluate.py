"""How good the suggestions are on a release's split, and what they save an annotator.

The model tags the split's ``ner`` sentences (the release's own tokens, so the gold and the
suggestions are over the same tokens) and its trigger lexicon looks for triggers in them. The
scores are exact-span precision, recall and F1 (micro and per label), trigger F1 (same event
type and span) and the edits an annotator needs to reach the gold from the suggestions and
from a blank page, per 100 tokens (:mod:`.metrics` defines them).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from akhbar.annotation.suggest import metrics
from akhbar.annotation.suggest.model import SuggestModel
from akhbar.annotation.suggest.options import EvaluateOptions
from akhbar.annotation.suggest.release_data import ReleaseSplit, read_split


def score_split(model: SuggestModel, data: ReleaseSplit) -> dict[str, Any]:
    """Every figure of the module's docstring for one split."""
    gold: list[metrics.Span] = []
    pred: list[metrics.Span] = []
    pred_triggers: list[metrics.Span] = []
    tagged = model.tag_many([s.tokens for s in data.sentences])
    for k, (s, t) in enumerate(zip(data.sentences, tagged, strict=True)):
        gold += metrics.bio_spans(s.tags, k)
        pred += metrics.bio_spans(t.tags, k)
        starts = [s.start + x for x in s.starts]
        ends = [s.start + x for x in s.ends]
        for a, b, etype in model.lexicon.find(s.tokens, starts, ends):
            pred_triggers.append((s.article_id, a, b, etype))
    gold_triggers = [(t.article_id, t.start, t.end, t.type) for t in data.triggers]
    tokens = data.tokens
    from_suggestions = metrics.edits(gold + gold_triggers, pred + pred_triggers)
    from_blank = metrics.edits(gold + gold_triggers, [])
    per100_s = metrics.per_100(from_suggestions, tokens)
    per100_b = metrics.per_100(from_blank, tokens)
    return {
        "split": data.split,
        "sentences": len(data.sentences),
        "tokens": tokens,
        "entities": metrics.span_scores(gold, pred),
        "triggers": metrics.span_scores(gold_triggers, pred_triggers)
        if gold_triggers or pred_triggers
        else None,
        "edits": {
            "from_suggestions": dict(from_suggestions),
            "from_blank": dict(from_blank),
            "per_100_tokens_from_suggestions": per100_s,
            "per_100_tokens_from_blank": per100_b,
            "saved": round(1 - per100_s / per100_b, 4) if per100_b else None,
        },
    }


def evaluate_model(opts: EvaluateOptions) -> dict[str, Any]:
    """Score the model on a split of a release (``akhbar suggest evaluate``)."""
    model = SuggestModel(opts.model_dir)
    data = read_split(opts.release, opts.split)
    out = {
        "model_version": model.version,
        "release": {"version": data.version, "manifest_sha256": data.manifest_sha256},
        **score_split(model, data),
    }
    trained_on = model.card.get("release", {}).get("manifest_sha256")
    out["same_release_as_training"] = trained_on == data.manifest_sha256
    return out


def report(figures: dict[str, Any]) -> str:
    """The figures as a few lines for the terminal."""
    ent = figures["entities"]
    m = ent["micro"]
    lines = [
        f"model {figures['model_version']} on release {figures['release']['version']}, split "
        f"{figures['split']}: {figures['sentences']} sentences, {figures['tokens']} tokens",
        f"entities (exact span): P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
        f"  ({m['support']} gold, {m['predicted']} suggested)",
    ]
    for label, s in ent["by_label"].items():
        lines.append(
            f"  {label:<12} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
            f"({s['support']} gold)"
        )
    t = figures["triggers"]
    if t is not None:
        tm = t["micro"]
        lines.append(
            f"triggers: P {tm['precision']:.3f}  R {tm['recall']:.3f}  F1 {tm['f1']:.3f}  "
            f"({tm['support']} gold, {tm['predicted']} suggested)"
        )
    e = figures["edits"]
    saved = "" if e["saved"] is None else f" ({100 * e['saved']:.0f}% fewer)"
    kinds = Counter(e["from_suggestions"])
    lines.append(
        f"edits per 100 tokens: {e['per_100_tokens_from_suggestions']:.2f} from the suggestions"
        f" ({', '.join(f'{k} {kinds[k]}' for k in metrics.EDIT_KINDS)}) against "
        f"{e['per_100_tokens_from_blank']:.2f} from blank{saved}"
    )
    if not figures.get("same_release_as_training", True):
        lines.append("note: the model was trained on another release")
    return "\n".join(lines)


def to_json(figures: dict[str, Any]) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2)
