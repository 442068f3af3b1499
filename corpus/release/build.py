"""``akhbar release build``: a corpus store and validated documents -> ``<out>/vX.Y.Z/``.

The release is written into a temporary sibling of ``<out>/vX.Y.Z`` and published (renamed into
place, :mod:`akhbar.corpus.runtime.publish`) at the very end, so a failed or interrupted build leaves
nothing behind, and a finished version is never written again. Inputs are streamed: articles in
batches, documents by byte offset, rows built by the executor's workers and written in row
groups, so memory does not grow with the corpus.
"""

from __future__ import annotations

import functools
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from akhbar import schemas
from akhbar.corpus import __version__, tokenizer
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.release import card, changelog, croissant, known_issues, quality
from akhbar.corpus.release.card_info import missing_fields, read_card_info
from akhbar.corpus.release.describe import check_card, describe_origin, release_license
from akhbar.corpus.release.features import CONFIGS, all_features, arrow_schema
from akhbar.corpus.release.index import record_release
from akhbar.corpus.release.inputs import (
    ARTICLE_COLUMNS,
    unpack_location,
)
from akhbar.corpus.release.manifest import (
    FORMAT,
    MANIFEST,
    file_info,
    git_commit,
    list_files,
    now_utc,
    write_manifest,
)
from akhbar.corpus.release.options import BuildOptions
from akhbar.corpus.release.parts import (
    Part,
    PartResult,
    convert_part,
    convert_part_in_worker,
    init_worker,
)
from akhbar.corpus.release.plan import Plan, plan_release
from akhbar.corpus.release.rows import Converter, SplitStats
from akhbar.corpus.release.splits import (
    METHOD,
    SOURCE_METHOD,
    SPLITS,
    ratios_dict,
)
from akhbar.corpus.release.versions import (
    version_name,
)
from akhbar.corpus.runtime.executor import make_executor
from akhbar.corpus.runtime.publish import Output, OutputLock, move
from akhbar.corpus.store import TEXT_DIGEST, article_files, articles_path, iter_article_batches
from akhbar.schemas.errors import OutputError


@dataclass(slots=True)
class BuildResult:
    path: Path
    version: str
    previous: str | None
    rows: dict[str, dict[str, int]]  # config -> split -> rows
    released: int
    without_document: int
    adjustments: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def build_release(opts: BuildOptions) -> BuildResult:
    """Build a release; raise an :class:`AkhbarError` with one line on any refusal.

    The directory of releases is locked from the plan to the publication: a second build into
    the same ``--out`` (of any version) fails at once naming the holder, so that each version
    is planned against the latest published release, never against one being built."""
    info = read_card_info(opts.card_info) if opts.card_info else None  # refused before work
    with OutputLock(opts.out, what="directory of releases"):
        plan = plan_release(opts)
        # A finished version is immutable: never replaced, and refused if it appears meanwhile.
        with Output(plan.target, what="release") as output:
            try:
                result = _write_release(opts, plan, output.path, info)
            except OSError as e:
                raise OutputError(
                    f"{plan.target}: the build stopped on a file error ({e}); nothing was "
                    "written, check free space and permissions and build again"
                ) from e
            record_release(opts.out, result.version, output.path / MANIFEST, now_utc())
            output.commit()
    result.path = plan.target
    return result


def _parts(opts: BuildOptions, plan: Plan, data_dir: Path) -> Iterator[Part]:
    """The articles that have a document, in store order, cut into parts of ``part_size``."""
    locations = plan.doc_index.locations
    docs_path = str(plan.doc_index.path)
    index = 0
    for batch in iter_article_batches(plan.corpus, ARTICLE_COLUMNS, opts.part_size):
        found = [locations.get(aid) for aid in batch.column("id").to_pylist()]
        keep = [p is not None for p in found]
        if not any(keep):
            continue
        where = [unpack_location(p) for p in found if p is not None]
        if not all(keep):
            batch = batch.filter(pa.array(keep))
        # Workers take the text from the documents, checked against the store's digest of the
        # corpus text: article texts are neither read nor passed through the pipe.
        digests = batch.column(TEXT_DIGEST).to_pylist()
        yield Part(
            index=index,
            documents_path=docs_path,
            data_dir=str(data_dir),
            articles=batch.drop_columns([TEXT_DIGEST]),
            digests=digests,
            locations=[(w[0], w[1], w[2]) for w in where],
            splits=[plan.splits[w[3]] for w in where],
            ordinals=[w[3] for w in where],
            chunk_size=opts.chunk_size,
        )
        index += 1


def _results(
    opts: BuildOptions, plan: Plan, schemas_: dict, data_dir: Path
) -> Iterator[tuple[Part, PartResult]]:
    """Converted and written parts, in input order, from the executor."""
    # spawn, not fork: the parent holds Arrow thread pools, which fork does not copy safely.
    with make_executor(opts.workers, init_worker, (plan.labels, schemas_), start="spawn") as ex:
        step = (
            convert_part_in_worker
            if ex.workers > 1
            else functools.partial(convert_part, Converter(plan.labels, schemas_))
        )
        taken: deque[Part] = deque()  # the parts handed out, whose results are yet to come

        def parts() -> Iterator[Part]:
            for part in _parts(opts, plan, data_dir):
                taken.append(part)
                yield part

        for result in ex.map(step, parts()):
            yield taken.popleft(), result


def _write_release(
    opts: BuildOptions, plan: Plan, tmp: Path, card_info: dict[str, Any] | None = None
) -> BuildResult:
    features = all_features(plan.labels)
    schemas_ = {name: arrow_schema(f) for name, f in features.items()}
    data_dir = tmp / "data"
    stats = {s: SplitStats() for s in SPLITS}
    adjustments: Counter = Counter()
    examples: list[dict] = []
    parts: dict[tuple[str, str], list[tuple[str, int, int]]] = {
        (c, s): [] for c in CONFIGS for s in SPLITS
    }
    for part, result in _results(opts, plan, schemas_, data_dir):
        for key, info in result.files.items():
            parts[key].append(info)
        for split, st in result.stats.items():
            stats[split].merge(st)
        adjustments.update(result.adjustments)
        examples.extend(result.examples[: 12 - len(examples)])
        for o, h in zip(part.ordinals, result.hashes, strict=True):
            plan.hashes[8 * o : 8 * o + 8] = bytes.fromhex(h)
    configs: dict[str, dict[str, Any]] = {c: {} for c in CONFIGS}
    for (config, split), infos in parts.items():
        files = []
        for i, (path, _, _) in enumerate(infos):  # already in part order
            dest = data_dir / config / f"{split}-{i:05d}-of-{len(infos):05d}.parquet"
            move(Path(path), dest)
            files.append(dest.relative_to(tmp).as_posix())
        configs[config][split] = {
            "rows": sum(r for _, r, _ in infos),
            "num_bytes": sum(b for _, _, b in infos),
            "files": files,
        }

    inputs = _input_hashes(opts, plan)
    released = plan.doc_index.lines
    adjust = {k: int(adjustments.get(k, 0)) for k in card.ADJUSTMENT_ORDER}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "name": f"akhbar-{plan.labels.name}",
        "version": version_name(plan.version),
        "created_at": now_utc(),
        "tool": {"name": "akhbar", "version": __version__},
        "git_commit": git_commit(),
        "previous": plan.previous["version"] if plan.previous else None,
        "license": release_license(opts.license, card_info),
        "taxonomy": {
            "name": plan.labels.name,
            "version": plan.labels.version,
            "sha256": plan.labels.sha256,
            "file": Path(plan.labels.source).name,  # no local path in a released file
        },
        "schemas": schemas.all_versions(),
        "inputs": inputs,
        "splits": {
            "method": METHOD,
            # Articles that recorded their source's split keep it; the others are hashed.
            "source_method": SOURCE_METHOD,
            "from_source": dict(zip(SPLITS, plan.from_source, strict=True)),
            "ratios": ratios_dict(plan.ratios),
            "resplit": bool(opts.resplit),
            "moved": plan.moved,
        },
        "counts": {
            "corpus_articles": plan.corpus_articles,
            "released_articles": released,
            "articles_without_document": plan.corpus_articles - released,
            "documents": plan.doc_index.lines,
        },
        "configs": configs,
        "labels": {s: stats[s].to_dict() for s in SPLITS},
        # How the ner tokens were made: the source's own tokens where an article brought them,
        # the tokeniser (never looking at labels) everywhere else.
        "tokenization": {
            "tokenizer": "akhbar.corpus.tokenizer",
            "rules": tokenizer.RULES,
            "clitic_segmentation": False,
            "articles_with_source_tokens": sum(stats[s].source_tokens for s in SPLITS),
        },
        "adjustments": adjust,
        "adjustment_examples": examples,
    }

    describe_origin(manifest, opts, plan, tmp, card_info)
    quality_section = None
    if plan.agreement is not None:
        figures, raw = plan.agreement
        (tmp / quality.FILE).write_bytes(quality.released_copy(figures, raw))
        entry = quality.manifest_entry(
            figures, opts.agreement / quality.FILE, plan.validation["snapshot"].get("sha256")
        )
        manifest["agreement"] = entry
        quality_section = quality.section(figures, entry)
    if plan.audit is not None:
        entry = known_issues.manifest_entry(plan.audit, opts.audit)
        manifest["audit"] = entry
        issues = known_issues.section(plan.audit, entry)
        quality_section = issues if quality_section is None else quality_section + "\n" + issues
    card.write_plot(tmp / card.PLOT, manifest, plan.labels)
    (tmp / "README.md").write_text(
        card.render(manifest, plan.labels, features, quality_section), encoding="utf-8"
    )
    check_card(tmp / "README.md")
    data_files = {
        rel: file_info(tmp, tmp / rel)
        for c in configs.values()
        for s in c.values()
        for rel in s["files"]
    }
    croissant.write(
        tmp / "croissant.json",
        manifest,
        {rel: info["sha256"] for rel, info in data_files.items()},
        plan.labels,
        features,
    )
    prev_log = None
    if plan.previous_path and (plan.previous_path / "CHANGELOG.md").is_file():
        prev_log = (plan.previous_path / "CHANGELOG.md").read_text(encoding="utf-8")
    log = changelog.changelog_file(
        plan.previous,
        plan.previous_articles,
        manifest,
        ((aid, split, h) for aid, split, _, h in plan.articles()),
        prev_log,
    )
    (tmp / "CHANGELOG.md").write_text(log, encoding="utf-8")
    manifest["files"] = {
        rel: data_files.get(rel) or file_info(tmp, tmp / rel)
        for rel in (p.relative_to(tmp).as_posix() for p in list_files(tmp))
    }
    write_manifest(tmp / MANIFEST, manifest, plan.articles())
    return BuildResult(
        path=tmp,
        version=manifest["version"],
        previous=manifest["previous"],
        rows={c: {s: configs[c][s]["rows"] for s in SPLITS} for c in CONFIGS},
        released=released,
        without_document=plan.corpus_articles - released,
        adjustments=adjust,
        warnings=[
            f"card field {k!r} is empty: give it in --card-info FILE (the card says it is not "
            "stated)"
            for k in missing_fields(card_info)
        ],
    )


def _input_hashes(opts: BuildOptions, plan: Plan) -> dict[str, Any]:
    art_sha, art_bytes = sha256_file(*article_files(plan.corpus))
    val_path = opts.documents / "validation.json"
    val_sha, val_bytes = sha256_file(val_path)
    # Names only: a released file never records where the inputs were on the build machine.
    snapshot = dict(plan.validation["snapshot"])
    if isinstance(snapshot.get("path"), str):
        snapshot["path"] = Path(snapshot["path"]).name
    return {
        "articles": {
            "path": articles_path(plan.corpus).name,
            "sha256": art_sha,
            "bytes": art_bytes,
            "rows": plan.corpus_articles,
        },
        "documents": {
            "path": plan.doc_index.path.name,
            "sha256": plan.doc_index.sha256,
            "bytes": plan.doc_index.bytes,
            "lines": plan.doc_index.lines,
        },
        "validation": {"path": val_path.name, "sha256": val_sha, "bytes": val_bytes},
        "snapshot": snapshot,
    }
