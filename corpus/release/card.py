"""The dataset card (``README.md``): Hub metadata in YAML, then what a user needs to know.

The YAML lists each config's files per split, so ``load_dataset(path, config)`` works offline,
and ``dataset_info`` with the declared features and split sizes, which ``datasets`` checks on
load. A split without rows is left out of a config (``datasets`` cannot load an empty split) and
the card says so.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import yaml
from datasets import ClassLabel, DatasetInfo, Features, List, SplitInfo, Value
from datasets.info import DatasetInfosDict
from datasets.splits import SplitDict

from akhbar.corpus.release.align import ADJUSTMENTS
from akhbar.corpus.release.features import (
    CONFIGS,
    DEFAULT_CONFIG,
    DESCRIPTIONS,
    SPLITS,
    portable_yaml,
)
from akhbar.schemas.taxonomy import Taxonomy

PLOT = "images/label_distribution.png"
ADJUSTMENT_ORDER = (
    *ADJUSTMENTS,
    "sentence_merges",
    "ner_nested_no_token_dropped",
    "events_argument_outside_sentence",
)

ADJUSTMENT_TEXT = {
    "ner_expanded_start": "entity starts inside a token (after a clitic, say); widened to the token",
    "ner_expanded_end": "entity ends inside a token; widened to the token",
    "ner_whitespace_trimmed": "whitespace at a span's edge left out of the tagged tokens",
    "ner_nested_dropped": "entity nested in a longer one; not tagged in ner (kept in documents)",
    "ner_overlap_dropped": "entity crossing a longer one; not tagged in ner (kept in documents)",
    "ner_conflict_dropped": "entity sharing a token with another after widening; not tagged in ner",
    "ner_no_token_dropped": "entity covering no token; not tagged in ner (kept in documents)",
    "sentence_merges": "sentence boundaries removed because an entity or an event (trigger to "
    "arguments) crossed them",
    "ner_nested_no_token_dropped": "entity covering no token; not in ner_nested (kept in "
    "documents)",
    "events_argument_outside_sentence": "argument outside its trigger's sentence (source "
    "sentences only); not in events (kept in documents)",
}


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return name
    return "10M<n<100M"


def pretty_name(labels: Taxonomy) -> str:
    return f"akhbar Arabic news: entities and events ({labels.name})"


def nonempty_splits(manifest: dict[str, Any], config: str) -> list[str]:
    return [s for s in SPLITS if manifest["configs"][config][s]["rows"] > 0]


def front_matter(manifest: dict[str, Any], features: dict[str, Features]) -> dict[str, Any]:
    configs = []
    infos = DatasetInfosDict()
    for config in CONFIGS:
        splits = nonempty_splits(manifest, config)
        if not splits:
            continue
        entry: dict[str, Any] = {
            "config_name": config,
            "data_files": [
                {"split": s, "path": manifest["configs"][config][s]["files"]} for s in splits
            ],
        }
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        configs.append(entry)
        split_dict = SplitDict()
        for s in splits:
            c = manifest["configs"][config][s]
            split_dict.add(SplitInfo(name=s, num_bytes=c["num_bytes"], num_examples=c["rows"]))
        infos[config] = DatasetInfo(
            features=features[config],
            splits=split_dict,
            dataset_size=sum(manifest["configs"][config][s]["num_bytes"] for s in splits),
        )
    data: dict[str, Any] = {
        "language": ["ar"],
        "license": manifest["license"],
        "pretty_name": None,
        "size_categories": [size_category(manifest["counts"]["released_articles"])],
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "tags": ["arabic", "news", "event-extraction", "named-entity-recognition", "akhbar"],
        "configs": configs,
    }
    infos.to_dataset_card_data(data)
    found = data.get("dataset_info") or []
    for info in found if isinstance(found, list) else [found]:  # read alike by datasets 3, 4+
        info["features"] = portable_yaml(info["features"])
    return data


def _type(feature: Any) -> str:
    if isinstance(feature, ClassLabel):
        return f"ClassLabel ({feature.num_classes} names)"
    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, List):
        return f"list of {_type(feature.feature)}"
    if isinstance(feature, dict):
        return "{" + ", ".join(f"{k}: {_type(v)}" for k, v in feature.items()) + "}"
    return type(feature).__name__


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _counts_table(manifest: dict[str, Any], kind: str, names: list[str]) -> str:
    per = manifest["labels"]
    rows = []
    for name in names:
        cells = [per[s][kind].get(name, 0) for s in SPLITS]
        rows.append([f"`{name}`", *cells, sum(cells)])
    totals = [sum(per[s][kind].values()) for s in SPLITS]
    rows.append(["**total**", *totals, sum(totals)])
    return _table(["label", *SPLITS, "all"], rows)


def render(
    manifest: dict[str, Any],
    labels: Taxonomy,
    features: dict[str, Features],
    quality: str | None = None,
) -> str:
    """The dataset card; ``quality`` is the "Annotation quality" section, when the release was
    given its agreement."""
    data = front_matter(manifest, features)
    data["pretty_name"] = pretty_name(labels)
    yaml_text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    m = manifest
    counts = m["counts"]
    version = m["version"]
    per = m["labels"]
    out = [f"---\n{yaml_text}---\n", f"# {pretty_name(labels)} — v{version}\n"]

    out.append(
        "## What it is\n\n"
        f"Arabic news articles with entity mentions and events annotated by people in Label "
        f"Studio, following the taxonomy `{labels.name}` version {labels.version}. "
        f"{labels.description}\n\n"
        f"This release has {counts['released_articles']:,} annotated articles, "
        f"{sum(sum(per[s]['entities'].values()) for s in SPLITS):,} entity mentions and "
        f"{sum(sum(per[s]['events'].values()) for s in SPLITS):,} events, in four configs "
        "(every release has all four, with the same features):\n\n"
        "- `ner` (the default): one row per sentence, tokens with BIO `ner_tags` of the "
        "outermost entities;\n"
        "- `ner_nested`: the same sentences with every entity, nested ones too, as token spans "
        "with a label (the span-list shape of nested-NER datasets: no depth limit, two nested "
        "entities of one type kept apart, which one BIO column per level cannot do);\n"
        "- `events`: the same sentences (event-free ones included) with every event whose "
        "trigger is in it: type, trigger and arguments (role, entity type) as token spans and "
        "code-point offsets, the shape of sentence-level event extraction (ACE, MAVEN);\n"
        "- `documents`: one row per article, the full text with every entity and event as "
        "code-point spans.\n\n"
        "```python\nfrom datasets import load_dataset\n\n"
        'ds = load_dataset("path/to/this/release", "ner")\n'
        'ds["train"].features["ner_tags"].feature.names\n```\n'
    )

    sources: dict[str, list[int]] = {}
    for i, s in enumerate(SPLITS):
        for name, n in per[s]["sources"].items():
            sources.setdefault(name, [0, 0, 0])[i] += n
    out.append(
        "## Sources\n\n"
        f"The articles were scraped from the sites below, cleaned by `akhbar corpus build` "
        f"(ads, boilerplate, footers, control characters removed; the cleaned text is what was "
        f"annotated and is never changed afterwards) and de-duplicated. Of "
        f"{counts['corpus_articles']:,} articles in the corpus, "
        f"{counts['articles_without_document']:,} had no validated annotation when this release "
        "was built and are not in it.\n\n"
        + _table(
            ["source", *SPLITS, "all"],
            [[n, *c, sum(c)] for n, c in sorted(sources.items(), key=lambda kv: -sum(kv[1]))],
        )
        + "\n"
    )

    structure = ["## Structure\n", _splits_table(m), ""]
    for config in CONFIGS:
        structure.append(f"### `{config}`\n")
        missing = [s for s in SPLITS if m["configs"][config][s]["rows"] == 0]
        if len(missing) == len(SPLITS):
            structure.append("This config has no rows in this release and is not listed.\n")
        elif missing:
            structure.append(
                f"Split(s) {', '.join(missing)} have no rows in this config and are left out of "
                "its `data_files` (an empty split cannot be loaded).\n"
            )
        rows = [
            [f"`{name}`", _type(f), DESCRIPTIONS[config].get(name, "")]
            for name, f in features[config].items()
        ]
        structure.append(_table(["field", "type", "description"], rows) + "\n")
    structure.append(
        "Label columns are `ClassLabel`s: their integer values map to the names "
        "listed under *Annotation* (`ds.features[...]` holds them). Offsets are Unicode code "
        "points (Python string indices): `text[start:end]` is the span.\n"
    )
    out.append("\n".join(structure))

    out.append(
        "## Label distribution\n\n"
        f"![Label distribution per split]({PLOT})\n\n"
        "### Entities\n\n" + _counts_table(m, "entities", labels.entity_names) + "\n\n"
        "### Events\n\n" + _counts_table(m, "events", labels.event_names) + "\n\n"
        "### Argument roles\n\n" + _counts_table(m, "roles", labels.role_names) + "\n\n"
        "### Entities tagged in `ner` (outermost only)\n\n"
        + _counts_table(m, "ner_entities", labels.entity_names)
        + "\n\n### Entities in `ner_nested` (all)\n\n"
        + _counts_table(m, "ner_nested_entities", labels.entity_names)
        + "\n"
    )

    out.append(_annotation_section(m, labels))
    if quality:
        out.append(quality)
    out.append(_splits_section(m))
    out.append(_limitations_section(m))
    out.append(
        "## Checking a copy\n\n"
        "`manifest.json` holds the sha256, size and row count of every file, the hashes of the "
        "inputs (corpus store, documents, the Label Studio snapshot) and each article's split. "
        "`akhbar release verify <dir>` re-checks all of it; `croissant.json` describes the "
        "files and fields in Croissant 1.0; `CHANGELOG.md` lists what changed since the "
        "previous release.\n"
    )
    year = m["created_at"][:4] if m.get("created_at") else str(_dt.date.today().year)
    key = f"akhbar_{labels.name.replace('-', '_')}_{version.replace('.', '_')}"
    out.append(
        "## Citation\n\n```bibtex\n"
        f"@misc{{{key},\n"
        f"  title     = {{{{{pretty_name(labels)}}}}},\n"
        "  author    = {{akhbar contributors}},\n"
        f"  year      = {{{year}}},\n"
        f"  version   = {{{version}}},\n"
        f"  note      = {{Taxonomy {labels.name} {labels.version}; built with akhbar "
        f"{m['tool']['version']}}}\n"
        "}\n```\n"
    )
    return "\n".join(out)


def _splits_table(m: dict[str, Any]) -> str:
    rows = [[f"`{c}`", *(m["configs"][c][s]["rows"] for s in SPLITS)] for c in CONFIGS]
    return _table(["config", *SPLITS], rows) + "\n"


def _annotation_section(m: dict[str, Any], labels: Taxonomy) -> str:
    ent = [
        [f"`{e.name}`", e.ar, e.en, e.definition or "", e.example or ""] for e in labels.entities
    ]
    ev = [[f"`{e.name}`", e.ar, e.en, e.definition or "", e.example or ""] for e in labels.events]
    roles = [
        [f"`{name}`", ", ".join(f"{r} ({'/'.join(t)})" for r, t in spec.items())]
        for name, spec in labels.event_roles.items()
    ]
    return (
        "## Annotation\n\n"
        "Annotators marked entity mentions and event triggers as character spans of the cleaned "
        "text in Label Studio, and linked each trigger to the entity mentions that fill its "
        "argument roles. Every exported annotation was checked against the JSON Schemas and "
        "the taxonomy (`akhbar annotate validate`); invalid ones were quarantined and are not "
        f"here. Taxonomy: `{labels.name}` {labels.version}, sha256 `{labels.sha256}`.\n\n"
        "### Entity types\n\n"
        + _table(["label", "Arabic", "English", "definition", "example"], ent)
        + "\n\n### Event types\n\n"
        + _table(["label", "Arabic", "English", "definition", "example"], ev)
        + "\n\n### Argument roles per event type (allowed entity types)\n\n"
        + _table(["event", "roles"], roles)
        + "\n"
    )


def _splits_section(m: dict[str, Any]) -> str:
    r = m["splits"]["ratios"]
    source = m["splits"].get("from_source") or {}
    hashed = (
        f"Each article's split is a function of its de-duplication cluster ({m['splits']['method']}; "
        f"ratios train {r['train']}, validation {r['validation']}, test {r['test']}). "
        "Near-duplicates share a cluster, so they never straddle splits; an article keeps its "
        "split in every later release (the build refuses to move one unless asked to re-split)."
    )
    if sum(source.values()):
        kept = ", ".join(f"{s} {n:,}" for s, n in source.items() if n)
        hashed = (
            f"Articles whose source came with splits keep them: {kept} article(s) are in the "
            "split their source gave them (recorded on import), so scores on this test split "
            "compare with published ones. "
            + (
                "Every article came with its split."
                if sum(source.values()) == m["counts"]["released_articles"]
                else "The others: " + hashed[0].lower() + hashed[1:]
            )
        )
    return (
        "## Splits\n\n"
        + hashed
        + (
            f" This release was re-split: {m['splits']['moved']} article(s) moved."
            if m["splits"]["resplit"]
            else ""
        )
        + "\n"
    )


def _limitations_section(m: dict[str, Any]) -> str:
    adj = m["adjustments"]
    clitic = adj["ner_expanded_start"] + adj["ner_expanded_end"]
    rows = [[f"`{k}`", adj.get(k, 0), ADJUSTMENT_TEXT[k]] for k in ADJUSTMENT_ORDER]
    examples = [
        [f"`{e['kind']}`", e["article_id"], e["entity"], e["token"]]
        for e in m.get("adjustment_examples", [])[:8]
    ]
    text = (
        "## Known limitations\n\n"
        "- **Tokens and clitics.** " + _tokens_text(m) + " Arabic attaches conjunctions, "
        "prepositions and the article to the next word (و، ف، ب، ل، ك، ال: `وبغداد` = و + "
        "بغداد); annotators mark the entity on the characters, so its boundary can fall inside "
        "a token. In `documents` and `events` spans are kept exactly as annotated; in `ner` an "
        "entity whose boundary falls inside a token is widened to the whole token (`وبغداد` "
        f"tagged `B-GPE`). {clitic:,} entity boundaries fell inside a token in this release.\n"
        "- **Nested entities.** `ner` has one tag per token, so it keeps only the outermost "
        "entity (longest, then earliest) of nested or overlapping ones; the inner ones are "
        "counted below and are all in `ner_nested` and `documents`.\n"
        "- **Sentences** are split at . ! ? ؟ ؛ … and line breaks, never inside a number "
        "(9.50) or after a one-letter abbreviation (د.), and never through an annotated span; "
        "headlines without punctuation may run into the next sentence.\n"
        "- **Coverage.** Only articles with a validated annotation are released; articles are "
        "news from a few sites and periods, with those sites' topics and biases.\n\n"
        "Every adjustment made for `ner`:\n\n" + _table(["adjustment", "count", "meaning"], rows)
    )
    if examples:
        text += "\n\nExamples:\n\n" + _table(["adjustment", "article", "entity", "token"], examples)
    return text + "\n"


def _tokens_text(m: dict[str, Any]) -> str:
    """Which tokens ``ner`` has: the source's, the tokeniser's, or both."""
    tok = m.get("tokenization") or {}
    given = tok.get("articles_with_source_tokens", 0)
    released = m["counts"]["released_articles"]
    ours = (
        "tokens are those of akhbar's rule-based tokeniser (`from akhbar.corpus.tokenizer "
        "import tokenize`: words with their clitics attached, numbers, single punctuation; "
        "no clitic segmentation), which never looks at the labels, so it splits raw text at "
        "inference time exactly as here"
    )
    if given == released and released:
        return (
            "`ner` keeps the source's own tokens and sentences (imported from a tokenised "
            "corpus), token for token."
        )
    if given:
        return (
            f"{given:,} article(s) keep their source's own tokens (imported from a tokenised "
            f"corpus); for the others the {ours}."
        )
    return f"In `ner` the {ours}."


def write_plot(path: Path, manifest: dict[str, Any], labels: Taxonomy) -> None:
    """Grouped bar charts of entity and event counts per split."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    per = manifest["labels"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, kind, names, title in (
        (axes[0], "entities", labels.entity_names, "Entity mentions"),
        (axes[1], "events", labels.event_names, "Events"),
    ):
        x = np.arange(len(names))
        width = 0.8 / len(SPLITS)
        for i, s in enumerate(SPLITS):
            ax.bar(x + i * width, [per[s][kind].get(n, 0) for n in names], width, label=s)
        ax.set_xticks(x + width * (len(SPLITS) - 1) / 2, names, rotation=45, ha="right")
        ax.set_title(title)
        ax.set_ylabel("count")
    axes[0].legend()
    fig.suptitle(f"Label distribution per split, v{manifest['version']}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
