"""``akhbar annotate agreement``: measure a snapshot's agreement and write it down.

Reads every task that two or more annotators annotated (:mod:`annotation.team.annotator_versions`), scores
it (:mod:`annotation.team.agreement`), adds bootstrap intervals (:mod:`annotation.team.intervals`)
and writes, all at once (:mod:`akhbar.corpus.runtime.publish`):

- ``agreement.json``: the figures, their 95% intervals, the definitions, what was read;
- ``agreement.md``: the readable report (:mod:`annotation.team.report`);
- ``agreement.png``: the pairwise heat map and the per-label bars;
- ``invalid.jsonl``: every error of the annotations that were not scored.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.team import report as agreement_report
from akhbar.annotation.team.agreement import Agreement, score_batch
from akhbar.annotation.team.annotator_versions import SnapshotTally, VersionReader
from akhbar.annotation.team.intervals import LEVEL, REPLICATES, intervals
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.runtime.publish import publishing
from akhbar.schemas import taxonomy as taxonomy_mod
from akhbar.schemas.taxonomy import Taxonomy

AGREEMENT = "agreement.json"
REPORT = "agreement.md"
PLOT = "agreement.png"
INVALID = "invalid.jsonl"


@dataclass
class AgreementResult:
    out_dir: Path
    figures: dict[str, Any]  # the content of agreement.json


def measure(
    snapshot: str | Path,
    corpus_dir: str | Path,
    taxonomy: Taxonomy | str | Path | None = None,
    workers: int | None = None,
) -> tuple[Agreement, SnapshotTally, Taxonomy]:
    """Score every shared task of ``snapshot`` (in ``workers`` processes, see
    :meth:`annotation.team.annotator_versions.VersionReader.batches`), adding the scores in export order."""
    tax = taxonomy_mod.load(taxonomy)
    agr = Agreement(tax.entity_names, tax.event_names)
    tally = SnapshotTally()
    step = functools.partial(score_batch, index=agr.index)
    for scores in VersionReader(corpus_dir, tax).batches(snapshot, tally, step, workers):
        for sc in scores:
            agr.add_score(sc)
    return agr, tally, tax


def figures_of(
    agr: Agreement, tally: SnapshotTally, tax: Taxonomy, snapshot: Path
) -> dict[str, Any]:
    """The content of ``agreement.json``."""
    out = agr.result()
    out["intervals"] = intervals(agr)
    out["interval_method"] = (
        f"{LEVEL:.0%} percentile bootstrap over documents, {REPLICATES} replicates"
    )
    out["snapshot"] = {"path": str(snapshot), "sha256": sha256_file(snapshot).sha256}
    out["taxonomy"] = {"name": tax.name, "version": tax.version, "sha256": tax.sha256}
    out["read"] = tally.to_dict()
    out["resolution"] = {
        "shared": tally.shared,
        "adjudicated": tally.adjudications,
        "policy": "a task's released annotation is its ground truth (an adjudicator's "
        "resolution, reviewed against an akhbar adjudication proposal) when there is one, "
        "else the most recently updated annotation",
    }
    return out


@dataclass(slots=True)
class AgreementOptions:
    """What ``akhbar annotate agreement`` is asked to do (see :func:`run_agreement`)."""

    snapshot: Path = opt("An export snapshot (the --out of akhbar annotate pull).", argument=True)
    corpus: Path = opt("Corpus store the tasks were pushed from.")
    out: Path = opt("Directory for agreement.json, agreement.md, agreement.png, invalid.jsonl.")
    taxonomy: Taxonomy | Path | None = opt(default=None)
    workers: int = opt(
        "Processes reading and scoring the export (0: one per core; a small one is read here).", 0
    )


def run_agreement(opts: AgreementOptions) -> AgreementResult:
    """Measure and write ``agreement.json``, the report, the plot and ``invalid.jsonl``."""
    snapshot, out_dir = Path(opts.snapshot), Path(opts.out)
    agr, tally, tax = measure(snapshot, opts.corpus, opts.taxonomy, opts.workers)
    figures = figures_of(agr, tally, tax, snapshot)
    # An earlier agreement output at out_dir is replaced; anything else there is refused.
    with publishing(out_dir, replace=True, marker=AGREEMENT, what="agreement output") as out:
        tmp = out.path
        (tmp / AGREEMENT).write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2) + b"\n")
        (tmp / REPORT).write_text(agreement_report.markdown(figures), encoding="utf-8")
        agreement_report.plot(figures, tmp / PLOT)
        with (tmp / INVALID).open("wb") as f:
            f.writelines(orjson.dumps(i) + b"\n" for i in tally.invalid)
    return AgreementResult(out_dir, figures)
