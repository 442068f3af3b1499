"""What the tagger learns from and is measured on: a release's ``ner`` and ``events`` rows.

Rows are read from the release's Parquet files as the manifest lists them (pyarrow, no copy of
the data), with the label names the files' declared Features carry, so training needs no more
than the release directory itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasets import Features

from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.release.manifest import MANIFEST, load_manifest
from akhbar.schemas.errors import InputError


@dataclass
class Sentence:
    article_id: str
    start: int  # offset of the sentence in the article
    tokens: list[str]
    starts: list[int]  # token offsets in the sentence
    ends: list[int]
    tags: list[str]  # BIO tags


@dataclass
class Trigger:
    article_id: str
    start: int  # offsets in the article
    end: int
    text: str
    type: str


@dataclass
class ReleaseSplit:
    release_name: str
    version: str
    manifest_sha256: str
    taxonomy: dict[str, Any]
    split: str
    sentences: list[Sentence] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return sum(len(s.tokens) for s in self.sentences)


def _tag_names(path: Path) -> list[str]:
    meta = pq.read_schema(path).metadata or {}
    features = json.loads(meta[b"huggingface"])["info"]["features"]
    return features["ner_tags"]["feature"]["names"]


def read_split(release: str | Path, split: str) -> ReleaseSplit:
    """The ``ner`` sentences and ``events`` triggers of one split of a built release, or of
    several named with commas (``train,validation``)."""
    names = [s.strip() for s in split.split(",") if s.strip()]
    if len(names) > 1:
        parts = [read_split(release, name) for name in names]
        out = parts[0]
        out.split = ",".join(names)
        for p in parts[1:]:
            out.sentences += p.sentences
            out.triggers += p.triggers
        return out
    root = Path(release)
    if not (root / MANIFEST).is_file():
        raise InputError(
            f"{root}: not a release (no {MANIFEST}); build one with `akhbar release build`"
        )
    manifest = load_manifest(root)
    configs = manifest.get("configs", {})
    if split not in configs.get("ner", {}):
        known = ", ".join(configs.get("ner", {})) or "none"
        raise InputError(f"{root}: no split {split!r} in the ner config (splits: {known})")
    digest, _ = sha256_file(root / MANIFEST)
    out = ReleaseSplit(
        manifest.get("name", "release"),
        manifest["version"],
        digest,
        manifest.get("taxonomy", {}),
        split,
    )
    for rel in configs["ner"][split]["files"]:
        path = root / rel
        names = _tag_names(path)
        table = pq.read_table(
            path,
            columns=["article_id", "start", "tokens", "token_starts", "token_ends", "ner_tags"],
        )
        for row in table.to_pylist():
            out.sentences.append(
                Sentence(
                    row["article_id"],
                    row["start"],
                    row["tokens"],
                    row["token_starts"],
                    row["token_ends"],
                    [names[t] for t in row["ner_tags"]],
                )
            )
    for rel in configs.get("events", {}).get(split, {}).get("files", []):
        path = root / rel
        events = Features.from_arrow_schema(pq.read_schema(path))["events"]
        types = (events.feature if hasattr(events, "feature") else events[0])["type"].names
        table = pq.read_table(path, columns=["article_id", "start", "events"])
        for row in table.to_pylist():
            for ev in row["events"]:
                t = ev["trigger"]
                out.triggers.append(
                    Trigger(
                        row["article_id"],
                        row["start"] + t["char_start"],
                        row["start"] + t["char_end"],
                        t["text"],
                        types[ev["type"]],
                    )
                )
    return out
