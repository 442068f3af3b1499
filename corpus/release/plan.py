"""What ``akhbar release build`` decides before it writes anything: the options, the version
and its predecessor, the taxonomy, the split of every released article (stable across versions
unless ``--resplit``), read from the corpus store and the documents' index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.corpus.release import known_issues, quality
from akhbar.corpus.release.index import INDEX, read_index
from akhbar.corpus.release.inputs import (
    DocumentIndex,
    index_documents,
    read_validation,
    unpack_location,
)
from akhbar.corpus.release.manifest import (
    MANIFEST,
    article_map,
    load_manifest,
)
from akhbar.corpus.release.options import BuildOptions
from akhbar.corpus.release.splits import (
    DEFAULT_RATIOS,
    SPLITS,
    parse_ratios,
    recorded_split,
    split_of,
)
from akhbar.corpus.release.versions import (
    existing_releases,
    parse_version,
    release_dir,
    resolve_release,
    version_name,
)
from akhbar.corpus.runtime.executor import resolve_workers
from akhbar.corpus.store import articles_path, iter_article_batches
from akhbar.schemas.errors import InputError, IntegrityError, OutputError, UsageError
from akhbar.schemas.shape import check_shape
from akhbar.schemas.taxonomy import Taxonomy
from akhbar.schemas.taxonomy import load as load_taxonomy


@dataclass(slots=True)
class Plan:
    """Everything decided before any output is written."""

    version: tuple[int, int, int]
    target: Path
    labels: Taxonomy
    ratios: tuple[float, float, float]
    previous: dict[str, Any] | None
    previous_path: Path | None
    validation: dict[str, Any]
    corpus: Path  # the corpus store
    doc_index: DocumentIndex
    # Per released article, by its document's ordinal: compact, as they grow with the corpus.
    splits: bytearray  # index into SPLITS
    clusters: list[str | None]  # None when the cluster id is the article id
    hashes: bytearray  # 8 bytes of the annotation hash each
    previous_articles: dict[str, tuple[str, str]]  # id -> (split, annotation hash)
    corpus_articles: int
    moved: int
    from_source: list[int]  # per split, the released articles whose split their source gave
    agreement: tuple[dict[str, Any], bytes] | None = None  # figures, file bytes
    audit: dict[str, Any] | None = None  # the audit's audit.json

    def articles(self) -> Iterator[tuple[str, str, str, str]]:
        """(id, split, cluster id, annotation hash) of every released article."""
        for aid, packed in self.doc_index.locations.items():
            o = unpack_location(packed)[3]
            cluster = self.clusters[o]
            yield (
                aid,
                SPLITS[self.splits[o]],
                aid if cluster is None else cluster,
                self.hashes[8 * o : 8 * o + 8].hex(),
            )


def plan_release(opts: BuildOptions) -> Plan:
    resolve_workers(opts.workers)  # a negative number is refused before anything is read
    version = parse_version(opts.version)
    out = opts.out
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: --out must be a directory of releases")
    target = release_dir(out, version)
    if target.exists():
        raise OutputError(
            f"{target} already exists and a built release is immutable; build a new version "
            f"(e.g. {version[0]}.{version[1]}.{version[2] + 1})"
        )
    read_index(out / INDEX)  # read back at the end: a damaged one is refused before the work
    existing = existing_releases(out)
    above = [v for v in existing if v > version]
    if above:  # with or without --previous: a version is planned against the latest one
        raise UsageError(
            f"version {version_name(version)} is not above the latest release "
            f"v{version_name(above[-1])} in {out}; choose a higher version"
        )
    if opts.previous:
        previous_path = resolve_release(opts.previous, out)
    else:
        below = [v for v in existing if v < version]
        previous_path = existing[below[-1]] if below else None
    previous = load_manifest(previous_path) if previous_path else None
    if previous is not None:  # read back: its shape is checked before it is relied on
        check_shape(previous, "release_manifest", str(previous_path / MANIFEST), InputError)
    if previous is not None and parse_version(previous["version"]) >= version:
        raise UsageError(
            f"version {version_name(version)} must be above the previous release "
            f"v{previous['version']}; choose a higher version"
        )

    labels = load_taxonomy(opts.taxonomy)
    validation = read_validation(opts.documents / "validation.json")
    vt = validation.get("taxonomy") or {}
    if vt.get("sha256") and vt["sha256"] != labels.sha256:
        raise IntegrityError(
            f"{opts.documents / 'validation.json'}: the documents were validated against taxonomy "
            f"{vt.get('name')}@{vt.get('version')} (sha256 {vt['sha256'][:12]}), not "
            f"{labels.name}@{labels.version} ({labels.sha256[:12]}); pass that taxonomy with "
            "--taxonomy FILE"
        )

    ratios = parse_ratios(opts.ratios)
    if ratios is None:
        prev_ratios = (previous or {}).get("splits", {}).get("ratios")
        ratios = tuple(prev_ratios[s] for s in SPLITS) if prev_ratios else DEFAULT_RATIOS

    doc_index = index_documents(opts.documents / "documents.jsonl")
    locations = doc_index.locations
    n = doc_index.lines
    splits = bytearray(b"\xff") * n
    clusters: list[str | None] = [None] * n
    prev_articles = article_map(previous_path) if previous_path else {}
    corpus_articles = 0
    moved = 0
    first_move = None
    from_source = [0] * len(SPLITS)
    ids = (
        row
        for batch in iter_article_batches(opts.corpus, ("id", "cluster_id", "metadata"), 65536)
        for row in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True)
    )
    for aid, cluster, metadata in ids:
        corpus_articles += 1
        packed = locations.get(aid)
        if packed is None:
            continue  # not annotated: not released, counted
        o = unpack_location(packed)[3]
        if splits[o] != 255:
            raise IntegrityError(
                f"{articles_path(opts.corpus)}: article id {aid} occurs twice; rebuild the corpus store"
            )
        try:
            split = recorded_split(metadata)
        except ValueError as e:
            raise IntegrityError(
                f"{articles_path(opts.corpus)}: article {aid}: {e}; fix the split where the "
                "article was imported"
            ) from None
        if split is None:
            split = split_of(cluster or aid, ratios)
        else:
            from_source[split] += 1
        splits[o] = split
        clusters[o] = None if cluster == aid else cluster
        old = prev_articles.get(aid)
        if old and old[0] != SPLITS[split]:
            moved += 1
            first_move = first_move or (aid, old[0], SPLITS[split])
    if 255 in splits:
        o = splits.index(255)
        aid, packed = next((a, p) for a, p in locations.items() if unpack_location(p)[3] == o)
        raise IntegrityError(
            f"{doc_index.path} line {unpack_location(packed)[2]}: article {aid} is not in the "
            f"corpus store {articles_path(opts.corpus)}; pass the corpus the documents were annotated from"
        )
    if moved and not opts.resplit:
        aid, old, new = first_move
        raise UsageError(
            f"{moved} article(s) would change split since v{previous['version']} "
            f"(e.g. {aid}: {old} -> {new}); keep the previous ratios and clusters, or pass "
            "--resplit to re-split on purpose"
        )
    return Plan(
        version=version,
        target=target,
        labels=labels,
        ratios=ratios,
        previous=previous,
        previous_path=previous_path,
        validation=validation,
        corpus=opts.corpus,
        doc_index=doc_index,
        splits=splits,
        clusters=clusters,
        hashes=bytearray(8 * n),
        previous_articles=prev_articles,
        corpus_articles=corpus_articles,
        moved=moved,
        from_source=from_source,
        agreement=quality.read_agreement(opts.agreement) if opts.agreement else None,
        audit=known_issues.read_audit(opts.audit) if opts.audit else None,
    )
