"""Benchmark of ``akhbar annotate audit``: what it finds among planted errors, and its time.

Wojood whole (``../shared/data/wojood``, its three files imported together with
``import-conll``) and the bundled sample (entities and event triggers) are corrupted by the
seeded script of the tests (``tests/helpers/corrupt.py``: 5% of the entities, and of the
triggers, relabelled, dropped or shifted by a proclitic or ال), then audited; the ranked
suspects are scored against the corruptions: precision among the top N (N = the number of
corruptions) per kind of suspect, recall per way of corrupting, and the share found of the
relabelled entities whose string is seen at least five times. The time is the whole audit
(reading, checking, writing) of Wojood's documents.

    .venv/bin/python benchmarks/bench_audit.py [--seeds 0,1,2] [--data ../shared/data]

Goals of issue 23: top-N precision and recall at least 50%; 80% of frequent relabels found;
Wojood whole under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

from akhbar.annotation.audit.run import AuditOptions, run_audit
from akhbar.annotation.conll.importer import ImportOptions, import_conll
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.schemas.taxonomy import TAXONOMY_DIR

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers.corrupt import corrupt, score

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("AKHBAR_SHARED_DATA") or ROOT.parent / "shared" / "data")


def read(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def audit(name: str, docs: list[dict], corpus: Path, work: Path, seed: int) -> dict:
    bad, corruptions = corrupt(docs, 0.05, seed)
    src = work / f"{name}-{seed}.jsonl"
    src.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in bad))
    t0 = time.perf_counter()
    result = run_audit(AuditOptions(src, corpus, work / f"audit-{name}-{seed}"))
    seconds = time.perf_counter() - t0
    fig = score(result.suspects, corruptions)
    fig["seconds"] = seconds
    fig["suspects"] = len(result.suspects)
    return fig


def show(name: str, seed: int, fig: dict) -> None:
    p, r = fig["precision"], fig["recall"]
    f, fn = fig["frequent_relabels"]
    print(
        f"{name} seed {seed}: {fig['corruptions']} corruptions, {fig['suspects']} suspects; "
        f"top {fig['top_n']}: precision {p:.1%}, recall {r:.1%}; frequent relabels found "
        f"{f}/{fn}" + (f" ({f / fn:.0%})" if fn else "") + f"; audit {fig['seconds']:.2f} s"
    )
    print(
        "  precision by kind (true/listed in the top N): "
        + ", ".join(f"{k} {t}/{n}" for k, (t, n) in fig["precision_by_kind"].items())
    )
    print(
        "  recall by way (found/planted): "
        + ", ".join(f"{g} {f}/{n}" for g, (f, n) in fig["recall_by_way"].items() if g != "all")
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    figures: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        work = Path(tmp)
        build_corpus(CorpusBuildOptions([ROOT / "corpus" / "sample" / "raw"], work / "corpus"))
        validate_snapshot(
            ValidateOptions(
                ROOT / "corpus" / "sample" / "labelstudio_export.json",
                work / "corpus",
                work / "validated",
            )
        )
        sample = read(work / "validated" / "documents.jsonl")
        for seed in seeds:
            fig = audit("sample", sample, work / "corpus", work, seed)
            figures.setdefault("sample", []).append(fig)
            show("sample", seed, fig)
        wojood = args.data / "wojood"
        if not (wojood / "train.txt").is_file():
            print(f"Wojood skipped: {wojood} is absent (the shared data)")
        else:
            files = [wojood / n for n in ("train.txt", "val.txt", "test.txt")]
            import_conll(ImportOptions(files, TAXONOMY_DIR / "wojood.yaml", work / "wojood"))
            docs = read(work / "wojood" / "documents.jsonl")
            n = sum(len(d["entities"]) for d in docs)
            print(f"Wojood whole: {len(docs)} documents, {n} entities")
            for seed in seeds:
                fig = audit("wojood", docs, work / "wojood" / "corpus", work, seed)
                figures.setdefault("wojood", []).append(fig)
                show("wojood", seed, fig)
    for name, figs in figures.items():
        mean = {k: sum(f[k] for f in figs) / len(figs) for k in ("precision", "recall")}
        found = sum(f["frequent_relabels"][0] for f in figs)
        total = sum(f["frequent_relabels"][1] for f in figs)
        print(
            f"{name}, mean of {len(figs)} seeds: top-N precision {mean['precision']:.1%}, "
            f"recall {mean['recall']:.1%}; frequent relabels found {found}/{total}; "
            f"slowest audit {max(f['seconds'] for f in figs):.2f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
