"""Validate a Label Studio export snapshot and convert it into annotated documents.

``validate_snapshot(ValidateOptions(snapshot, corpus, out, taxonomy))`` reads the export piece
by piece (:mod:`annotation.labelstudio.export_reader`), checks each task (:mod:`annotation.validate.tasks`: the
compiled ``jsonschema_rs`` validator first, ``jsonschema`` only to explain a task it rejects,
then the semantic checks and the conversion) with the executor, and writes, atomically
(:mod:`akhbar.corpus.runtime.publish`):

- ``documents.jsonl``: one document per task whose selected annotation is valid;
- ``quarantine.jsonl``: every task with an invalid annotation (or broken itself), with all its
  issues and its original payload;
- ``issues.jsonl``: every issue, errors and warnings, one per line;
- ``validation.json``: the snapshot (path, sha256), corpus and taxonomy it was checked with,
  and counts that add up: every annotation is selected, superseded, quarantined or cancelled;
  every task is documented, quarantined, all-cancelled or unannotated.

Two tasks with the same id, or two documented tasks for the same article, are found while the
pieces are merged in export order: the later one is quarantined (``AK151``/``AK152``).
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from akhbar import schemas
from akhbar.annotation.labelstudio import export_reader
from akhbar.annotation.labelstudio.annotator_emails import annotator_emails
from akhbar.annotation.labelstudio.convert import POLICY
from akhbar.annotation.labelstudio.export_reader import Range
from akhbar.annotation.labelstudio.result_checks import Rules
from akhbar.annotation.validate.documents import (
    DOCUMENTS_INPUT,
    DocumentChecker,
    Hashed,
    check_documents,
    input_kind,
)
from akhbar.annotation.validate.merge import Merger
from akhbar.annotation.validate.pieces import (
    Piece,
    check_range,
    check_tasks,
    init_worker,
    run_range,
)
from akhbar.annotation.validate.tasks import TaskChecker
from akhbar.corpus.runtime.executor import Executor, make_executor
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.runtime.publish import Output
from akhbar.corpus.store import ArticleTexts, articles_path, text_index
from akhbar.schemas import taxonomy as taxonomy_mod
from akhbar.schemas.checks import CHECKS, ERROR
from akhbar.schemas.errors import InputError
from akhbar.schemas.taxonomy import Taxonomy

# --- the run ------------------------------------------------------------------------------------


@dataclass
class ValidationResult:
    """What a run wrote and found. ``summary`` is the content of ``validation.json``."""

    out_dir: Path
    summary: dict[str, Any]
    examples: dict[str, list[dict[str, Any]]]

    @property
    def counts(self) -> dict[str, Any]:
        return self.summary["counts"]

    @property
    def quarantined(self) -> int:
        return self.summary["counts"]["quarantine_records"]

    @property
    def exit_code(self) -> int:
        return 1 if self.quarantined else 0


def _load_taxonomy(taxonomy: Taxonomy | str | Path | None) -> Taxonomy:
    return taxonomy_mod.load(taxonomy)


class _Hasher(threading.Thread):
    """sha256 of the snapshot, computed beside the rest (hashlib releases the GIL).

    It starts before the corpus is indexed, which runs on one core, so that most of the
    hashing is done by the time the workers need both. ``lock`` is held while a block is
    read and hashed: the pool is forked holding it, so that the workers are not copied from
    the middle of a read.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.lock = threading.Lock()
        self.digest: str | None = None
        self.size = 0
        self.error: OSError | None = None
        self.stopped = False

    def run(self) -> None:
        h = hashlib.sha256()
        size = 0
        try:
            with self.path.open("rb") as f:
                while not self.stopped:
                    with self.lock:
                        block = f.read(export_reader.BLOCK)
                        if not block:
                            break
                        h.update(block)
                    size += len(block)
        except OSError as e:
            self.error = e
            return
        self.digest, self.size = h.hexdigest(), size


@dataclass(slots=True)
class ValidateOptions:
    """What ``akhbar annotate validate`` is asked to do (see :func:`validate_snapshot`)."""

    snapshot: Path = opt(
        "An export snapshot (JSON array) or annotated documents (JSONL).", argument=True
    )
    corpus: Path = opt("Corpus store the tasks were pushed from (or the documents were made for).")
    out: Path = opt(
        "Directory for documents.jsonl, quarantine.jsonl, issues.jsonl, validation.json."
    )
    taxonomy: Taxonomy | Path | None = opt(default=None)
    # 0: one per core, but an export under 8 MiB is checked in this process (a pool costs
    # more than it saves there)
    workers: int = opt(
        "Processes checking the export (0: one per core; an export under 8 MiB is checked here).", 0
    )
    range_bytes: int = export_reader.RANGE  # the size of the ranges handed to workers
    trim_punctuation: bool = opt(
        "Also trim punctuation at a span's edges (whitespace is always trimmed).", False
    )


def validate_snapshot(opts: ValidateOptions) -> ValidationResult:
    """Validate an export snapshot, or annotated documents, against the corpus and the
    taxonomy; write the outputs.

    Span edges are trimmed in the documents as :mod:`annotation.labelstudio.span_edges` says. Raises
    InputError (unreadable snapshot or corpus), UsageError or OutputError; a snapshot with
    invalid annotations is not an error: they are quarantined and counted.
    """
    snapshot = Path(opts.snapshot)
    if not snapshot.is_file():
        raise InputError(
            f"{snapshot}: no such file; give a snapshot from akhbar annotate pull or a "
            "documents.jsonl"
        )
    tax = _load_taxonomy(opts.taxonomy)
    rules = Rules(tax, trim_punctuation=opts.trim_punctuation)
    if input_kind(snapshot) == DOCUMENTS_INPUT:
        return _validate_documents(snapshot, opts, tax, rules)
    export_reader.first_element(snapshot)  # not an export: say so before anything starts
    hasher = _Hasher(snapshot)
    hasher.start()
    try:
        return _validate(snapshot, hasher, opts, tax, rules)
    finally:
        hasher.stopped = True  # when the run failed; the hash is done otherwise


def _corpus(corpus_dir: str | Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The corpus's text digests by article id, and what ``validation.json`` says of it."""
    index = text_index(corpus_dir)
    return index, {"path": str(articles_path(corpus_dir)), "articles": len(index)}


def _validate(
    snapshot: Path,
    hasher: _Hasher,
    opts: ValidateOptions,
    tax: Taxonomy,
    rules: Rules,
) -> ValidationResult:
    corpus_dir, out_dir, workers = Path(opts.corpus), Path(opts.out), opts.workers
    index, corpus_info = _corpus(corpus_dir)
    workers = export_reader.workers_for(snapshot, workers)
    output = _output(out_dir, snapshot, corpus_dir)
    tmp = output.path
    with output:
        parts = tmp / "parts"
        parts.mkdir()
        merger = Merger(tmp)
        texts = ArticleTexts(corpus_dir)
        # documents name their annotator's e-mail, as pull recorded it in the manifest
        emails = annotator_emails(snapshot)
        checker = TaskChecker(rules, index, texts, emails)
        # The pool forks while the hasher is between two blocks, not in the middle of one.
        with hasher.lock:
            executor = make_executor(
                workers, init_worker, (rules, index, str(corpus_dir), str(parts), emails)
            )
        with executor:
            _read(snapshot, opts.range_bytes, executor, checker, parts, merger)
        merger.close()
        hasher.join()
        if hasher.error is not None:
            raise InputError(f"{snapshot}: cannot read the snapshot ({hasher.error.strerror})")
        shutil.rmtree(parts)
        summary = _summary(snapshot, hasher, tax, rules, corpus_info, merger)
        (tmp / "validation.json").write_bytes(
            orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n"
        )
        output.commit()
    return ValidationResult(out_dir, summary, merger.examples)


def _output(out_dir: Path, source: Path, corpus_dir: str | Path) -> Output:
    """The output of a validation: an earlier one at ``out_dir`` is replaced, anything else
    there is refused, and neither input may lie inside it."""
    return Output(
        out_dir,
        replace=True,
        marker="validation.json",
        what="validation output",
        inputs=[source, Path(corpus_dir)],
    )


def _validate_documents(
    path: Path, opts: ValidateOptions, tax: Taxonomy, rules: Rules
) -> ValidationResult:
    """Validate annotated documents (JSON Lines) with the one document check; the same
    outputs as for an export (see :mod:`annotation.validate.documents`), in this process."""
    corpus_dir, out_dir = Path(opts.corpus), Path(opts.out)
    index, corpus_info = _corpus(corpus_dir)
    output = _output(out_dir, path, corpus_dir)
    with output:
        merger = Merger(output.path, article_path="/article_id", record="document")
        checker = DocumentChecker(tax, index, ArticleTexts(corpus_dir))
        hashed = check_documents(path, checker, merger)
        merger.close()
        summary = _summary(path, hashed, tax, rules, corpus_info, merger, DOCUMENTS_INPUT)
        (output.path / "validation.json").write_bytes(
            orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n"
        )
        output.commit()
    return ValidationResult(out_dir, summary, merger.examples)


def _read(
    snapshot: Path,
    range_bytes: int,
    executor: Executor,
    checker: TaskChecker,
    parts: Path,
    merger: Merger,
) -> None:
    """Check the export range by range (:func:`export_reader.read`), merging in export order."""
    on_range: Callable[[Range], Piece]
    if executor.workers > 1:
        on_range = functools.partial(run_range, str(snapshot))
    else:
        on_range = functools.partial(check_range, checker, snapshot, parts=parts)

    def on_tasks(batch: list[Any], seq: int) -> Piece:
        return check_tasks(checker, [batch], parts / f"part-{seq:06d}.jsonl", seq, -1)

    for part in export_reader.read(snapshot, on_range, on_tasks, executor, range_bytes):
        if part.range is not None:
            merger.add(part.result, _reparse(snapshot, part.range))
        else:
            assert part.tasks is not None
            merger.add(part.result, part.tasks.__getitem__)


def _reparse(snapshot: Path, r: Range) -> Callable[[int], Any]:
    """A task of a range by local index, parsed again (only for tasks demoted while merging)."""
    cache: list[Any] = []

    def get(local: int) -> Any:
        if not cache:
            cache.extend(export_reader.parse_range(snapshot, r.start, r.end))
        return cache[local]

    return get


def _summary(
    snapshot: Path,
    hasher: _Hasher | Hashed,
    tax: Taxonomy,
    rules: Rules,
    corpus_info: dict[str, Any],
    merger: Merger,
    kind: str = "labelstudio_export",
) -> dict[str, Any]:
    tasks = dict(merger.tasks)
    anns = dict(merger.annotations)
    valid = anns["selected"] + anns["superseded"]
    errors = sum(n for c, n in merger.by_code.items() if CHECKS[c].severity == ERROR)

    def count(code: str) -> int:
        return merger.by_code.get(code, 0)

    return {
        "input": kind,
        "snapshot": {"path": str(snapshot), "sha256": hasher.digest, "bytes": hasher.size},
        "corpus": corpus_info,
        "taxonomy": {
            "name": tax.name,
            "version": tax.version,
            "sha256": tax.sha256,
            "source": tax.source,
        },
        "schemas": {
            "labelstudio_export": schemas.version("labelstudio_export"),
            "document": schemas.version("document"),
        },
        "policy": POLICY,
        "span_edges": {
            "trim_whitespace": True,
            "trim_punctuation": rules.trim_punctuation,
            "trimmed": {"whitespace": count("AK142"), "punctuation": count("AK145")},
            "cut": {"number": count("AK146"), "word": count("AK147")},
        },
        "counts": {
            "tasks": {"total": sum(tasks.values()), **tasks},
            "annotations": {
                "total": valid + anns["quarantined"] + anns["cancelled"],
                "valid": valid,
                "quarantined": anns["quarantined"],
                "cancelled": anns["cancelled"],
            },
            "valid_annotations": {"selected": anns["selected"], "superseded": anns["superseded"]},
            "documents": merger.documents,
            "quarantine_records": merger.quarantine_records,
            "drafts": merger.drafts,
            "predictions": merger.predictions,
            # tasks with valid versions by several annotators released without an
            # adjudicator's resolution (one version taken, the others superseded)
            "unresolved": {"tasks": len(merger.unresolved), "task_ids": merger.unresolved},
            "issues": {"errors": errors, "warnings": sum(merger.by_code.values()) - errors},
            "by_code": {
                c: {
                    "name": CHECKS[c].name,
                    "severity": CHECKS[c].severity,
                    "count": merger.by_code[c],
                }
                for c in sorted(merger.by_code)
            },
        },
        "outputs": {
            "documents": "documents.jsonl",
            "quarantine": "quarantine.jsonl",
            "issues": "issues.jsonl",
        },
    }
