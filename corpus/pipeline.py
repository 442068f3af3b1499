"""The corpus build: read -> clean -> fingerprint -> de-duplicate -> write, one orchestration
for every executor.

:func:`build_corpus` checks the arguments and lists the inputs before anything is written,
opens the store's writer (``corpus.store_writer.CorpusWriter``, which makes the store appear
atomically), and runs the same two steps on a :class:`BuildEngine`: ``prepare`` (read, clean
and fingerprint every file with :class:`akhbar.corpus.prepare.Prepare`; rejections go to the
writer) and ``write`` (de-duplicate, then write the kept articles and the duplicates), then
writes the report and publishes. What differs between executors is only the engine:
:mod:`akhbar.corpus.build_local` (this process or a local pool; de-duplication in this process
over fingerprints held in numpy arrays, texts spilled to disk) or :mod:`akhbar.corpus.build_ray`
(a Ray cluster; de-duplication as shuffles, no process holding every article).

Every record that goes in comes out kept, rejected with a reason, or as a duplicate; the report
checks that the counts add up.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from akhbar.corpus import __version__
from akhbar.corpus.build_local import LocalBuild
from akhbar.corpus.cleaning.registry import known_rules
from akhbar.corpus.config import CorpusBuildOptions, CorpusConfig, load_config
from akhbar.corpus.readers import InputFiles, check_fields, list_inputs
from akhbar.corpus.runtime.executor import resolve_workers
from akhbar.corpus.store_writer import CorpusWriter, Tally
from akhbar.schemas.errors import InputError, UsageError


def rule_names(seen: Iterable[str]) -> list[str]:
    """The versioned names of the cleaning rules: the registry's, plus any that fired."""
    return sorted({*known_rules(), *seen})


def commit_report(
    writer: CorpusWriter, tally: Tally, config: CorpusConfig, started: float
) -> dict[str, Any]:
    """Write ``report.json`` and publish the store (any executor ends a build here)."""
    report = tally.report(
        config=dataclasses.asdict(config),
        rules=rule_names(tally.rule_applications),
        tool_version=__version__,
        elapsed_s=round(time.perf_counter() - started, 3),
    )
    writer.commit(report)
    return report


def _input_files(inputs: Sequence[str | Path], out: Path, config: CorpusConfig) -> InputFiles:
    """Check the arguments and list the input files, before anything is written."""
    if not inputs:
        raise UsageError("no INPUT given: name one or more files or directories of articles")
    resolve_workers(config.workers)  # refuses a negative number before anything is read
    target = out.resolve()
    for p in inputs:
        path = Path(p)
        if not path.exists():
            raise InputError(
                f"{p}: no such file or directory; give a file or directory of articles"
            )
        if path.is_dir() and target.is_relative_to(path.resolve()):
            raise UsageError(
                f"--out {out} is inside the input directory {p}: the next build would read "
                "the corpus as input; choose an --out outside the inputs"
            )
    check_fields(config)  # the field mapping, before anything is listed or read
    return list_inputs([str(p) for p in inputs])  # what read_inputs reads, file by file


class BuildEngine(Protocol):
    """Where the build's steps run: the local executor (:mod:`akhbar.corpus.build_local`) or
    a Ray cluster (:mod:`akhbar.corpus.build_ray`). Only what must differ between them lives
    there: how ``Prepare`` is shared out and how de-duplication sees every article."""

    def __enter__(self) -> BuildEngine: ...

    def __exit__(self, *exc: object) -> None: ...

    def prepare(self, files: InputFiles, writer: CorpusWriter, tally: Tally) -> int:
        """Read, clean and fingerprint every file; rejections to ``writer``; records read."""

    def write(self, writer: CorpusWriter, tally: Tally) -> None:
        """De-duplicate, then write the kept articles and the duplicates into ``writer``."""


def build_corpus(opts: CorpusBuildOptions) -> dict[str, Any]:
    """Build a corpus store at ``opts.out`` from ``opts.inputs``; return the report.

    With ``executor="ray"`` the store is partitioned, with the same rows. Raises
    ``UsageError``/``InputError``/``OutputError`` with a one-line message; on any failure
    nothing is left at ``out``. The result does not depend on the number of workers.
    """
    started = time.perf_counter()
    inputs, out, progress = opts.inputs, Path(opts.out), opts.progress
    config = opts.config if isinstance(opts.config, CorpusConfig) else load_config(opts.config)
    if opts.near is not None:
        config = dataclasses.replace(
            config, dedup=dataclasses.replace(config.dedup, near=opts.near)
        )
    if opts.workers is not None:
        config = dataclasses.replace(config, workers=opts.workers)
    if opts.executor not in ("local", "ray"):
        raise UsageError(f"--executor {opts.executor}: give local or ray")
    if opts.ray_address and opts.executor != "ray":
        raise UsageError("--ray-address is for --executor ray; add --executor ray")
    files = _input_files(inputs, out, config)
    engine: BuildEngine
    if opts.executor == "ray":
        from akhbar.corpus.build_ray import RayBuild  # imported when used: Ray is optional

        engine = RayBuild(config, opts.ray_address)
    else:
        engine = LocalBuild(config, progress)
    tally = Tally()
    with CorpusWriter(out, force=opts.force, inputs=inputs) as writer, engine:
        if not engine.prepare(files, writer, tally):
            raise InputError(
                f"no input records found in {', '.join(map(str, inputs))}: give .txt, .json, "
                ".jsonl, .zip or .html files (or directories of them)"
            )
        engine.write(writer, tally)
        report = commit_report(writer, tally, config, started)
    return report


__all__ = ["CorpusBuildOptions", "build_corpus"]
