"""Configuration of a corpus build, read from an optional YAML file (``--config FILE``).

Everything specific to a source (field mappings, extra boilerplate patterns) is configuration,
not code. Unknown keys are refused with the list of known ones, so a typo never goes unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from akhbar.corpus.runtime.option_fields import opt
from akhbar.schemas.errors import UsageError
from akhbar.schemas.yaml_safe import load_yaml


@dataclass(slots=True)
class DedupConfig:
    """Exact and near-duplicate detection."""

    near: bool = True  # run MinHash LSH near-duplicate detection after exact matching
    threshold: float = 0.8  # Jaccard similarity above which two articles are near-duplicates
    num_perm: int = 128  # MinHash permutations
    ngram: int = 5  # word n-gram shingle size
    seed: int = 1  # MinHash seed, fixed so ids and clusters are reproducible


@dataclass(slots=True)
class FilterConfig:
    """Filters that drop a cleaned article with a reason."""

    # Short enough to keep one-sentence news items (SaudiNewsNet has many of 12-25 words),
    # long enough to drop bodies that are only a photo caption or a list of names.
    min_chars: int = 60  # shorter cleaned text is rejected as too_short
    min_words: int = 12
    script: str = "arabic"  # expected main script; "any" disables the check
    min_script_ratio: float = 0.5  # share of letters that must be in the expected script


@dataclass(slots=True)
class LimitsConfig:
    """Bounds on what one input may cost; over a bound is a rejection with the reason, found
    while streaming (never by reading the whole thing into memory first)."""

    max_file_bytes: int = 256 * 2**20  # one file, or one zip member once decompressed
    max_archive_bytes: int = 4 * 2**30  # all members of one zip archive, decompressed
    max_article_chars: int = 1_000_000  # title and text of one article
    max_json_depth: int = 64  # nesting of arrays/objects inside one article record


@dataclass(slots=True)
class SourceConfig:
    """Per-source settings: extra boilerplate line patterns (regular expressions)."""

    drop_line_patterns: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CorpusConfig:
    language: str = "ar"
    # JSON/JSONL/zip field mapping: our field name -> the input's key
    fields: dict[str, str] = field(
        default_factory=lambda: {
            "title": "title",
            "text": "content",
            "source": "source",
            "url": "url",
            "published": "date_published",
            "retrieved": "date_extracted",
            "author": "author",
        }
    )
    filters: FilterConfig = field(default_factory=FilterConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    workers: int = 0  # processes for the heavy steps; 0 means one per core


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a mapping, got {type(data).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise UsageError(f"{where}: unknown keys {unknown}; known keys are {sorted(known)}")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        nested = {
            "filters": FilterConfig,
            "dedup": DedupConfig,
            "limits": LimitsConfig,
        }.get(key)
        if cls is CorpusConfig and nested:
            kwargs[key] = _build(nested, value, f"{where}.{key}")
        elif cls is CorpusConfig and key == "sources":
            kwargs[key] = {
                name: _build(SourceConfig, v, f"{where}.sources.{name}")
                for name, v in value.items()
            }
        elif cls is CorpusConfig and key == "fields":
            kwargs[key] = {**CorpusConfig().fields, **value}
        else:
            kwargs[key] = value
    if cls is LimitsConfig:
        for key, value in kwargs.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{where}.{key}: expected a positive whole number, got {value!r}")
    return cls(**kwargs)


def load_config(path: str | Path | None) -> CorpusConfig:
    """Read a YAML config file; ``None`` gives the defaults."""
    if path is None:
        return CorpusConfig()
    p = Path(path)
    try:
        data = load_yaml(p.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise UsageError(f"{p}: cannot read config ({e.strerror})") from e
    except yaml.YAMLError as e:
        raise UsageError(f"{p}: not valid YAML ({str(e).splitlines()[0]})") from e
    return _build(CorpusConfig, data, str(p))


@dataclass(slots=True)
class CorpusBuildOptions:
    """What ``akhbar corpus build`` is asked to do (see :func:`akhbar.corpus.pipeline.build_corpus`)."""

    inputs: Sequence[str | Path] = opt(
        "Files or directories of articles.", argument=True, nargs=-1, metavar="INPUT..."
    )
    out: Path = opt("Corpus directory to create.")
    config: CorpusConfig | Path | None = opt("YAML build configuration.", None, metavar="FILE")
    force: bool = opt(default=False)
    near: bool | None = opt(
        "Only exact duplicates (skip MinHash LSH).", None, flag="--no-near-dup", flag_value=False
    )  # overrides config.dedup.near
    workers: int | None = opt(
        "Processes cleaning and hashing (0: one per core, 1: this process; default: the "
        "--config's, 0).",
        None,
    )  # overrides config.workers
    progress: bool | None = None  # None: a bar when stderr is a terminal outside CI
    executor: str = opt(
        "Where the work runs: local processes, or a Ray cluster (pip install 'akhbar[ray]').",
        "local",
        choices=("local", "ray"),
    )
    ray_address: str | None = opt(
        "Ray cluster to use (host:port of its head); default: start one on this machine.",
        None,
        metavar="ADDR",
    )
