"""Benchmark of the suggestion tagger on Wojood (``../shared/data/wojood``), against a plain CRF
baseline trained the same way in the same run.

Wojood's three files are imported together with ``akhbar annotate import-conll --split``,
validated and released, so the release's train, validation and test splits are Wojood's
official ones: the models learn from the train split and are scored on the test split (the
CRF's settings were chosen on the validation split). For 10, 25, 50 and 100% of the train
sentences (whole articles, a seeded sample) it prints, for our features and for the baseline
(word, prefixes and suffixes, two words each side): exact-span micro F1 on the test split,
edits per 100 tokens from the suggestions and from a blank page, training time. Our model's
word clusters are learned from the Wojood train sentences it is given and from one SaudiNewsNet
archive's articles, unannotated (``--unlabelled``), never from the validation or test text. Then
prediction speed in this one process, pinned to one core: articles/s of ``akhbar suggest
predict``'s work (tokenise, tag, build and check the document) on Wojood's articles and on
SaudiNewsNet articles (longer), per CPU second and by the wall clock.

    .venv/bin/python benchmarks/bench_suggest.py [--fractions 0.1,0.25,0.5,1] [--snn 2000] [--data ../shared/data]

Goals of issue 22: ahead of the baseline and at least 0.74 F1; at least 40% fewer edits than
from blank; training under 5 minutes; at least 200 news articles/s on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from akhbar.annotation.suggest.evaluate import score_split
from akhbar.annotation.suggest.features import ARABIC, BASELINE
from akhbar.annotation.suggest.model import SuggestModel
from akhbar.annotation.suggest.predict import iter_predictions
from akhbar.annotation.suggest.release_data import read_split
from akhbar.annotation.suggest.train import TrainOptions, train_model
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.corpus.release.build import build_release
from akhbar.corpus.release.plan import BuildOptions
from akhbar.corpus.store import load_corpus
from akhbar.schemas.taxonomy import TAXONOMY_DIR

# ../shared/data beside the checkout; AKHBAR_SHARED_DATA points elsewhere (a git worktree)
DATA = Path(
    os.environ.get("AKHBAR_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)


def release_of(wojood: Path, work: Path) -> Path:
    """``akhbar annotate import-conll --split`` of Wojood's three files (so its official
    splits are kept) -> validate -> release; the release directory."""
    tax = TAXONOMY_DIR / "wojood.yaml"
    imp = work / "import"
    akhbar = Path(sys.executable).parent / "akhbar"
    splits = {"train": "train.txt", "validation": "val.txt", "test": "test.txt"}
    argv = [str(akhbar), "annotate", "import-conll", "--taxonomy", str(tax), "--out", str(imp)]
    for split, name in splits.items():
        argv += ["--split", f"{split}={wojood / name}"]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    validate_snapshot(
        ValidateOptions(imp / "documents.jsonl", imp / "corpus", imp / "validated", tax, workers=1)
    )
    build_release(
        BuildOptions("1.0.0", imp / "corpus", imp / "validated", imp / "releases", tax, workers=1)
    )
    return imp / "releases" / "v1.0.0"


def speed(model_dir: Path, corpus: Path, limit: int | None = None) -> tuple[int, float, float]:
    """(articles, articles per CPU second, articles per wall-clock second) of predict's work,
    the model warmed up and the corpus store opened first (their one-off costs, and the
    compilation of the decoder, are not per article). CPU seconds are this process's: on a
    shared machine the wall clock also counts the other processes' turns."""
    model = SuggestModel(model_dir)
    load_corpus(corpus)
    for _ in iter_predictions(model, corpus, set(), 1):
        pass
    model = SuggestModel(model_dir)
    t0, c0 = time.perf_counter(), time.process_time()
    n = sum(1 for _ in iter_predictions(model, corpus, set(), limit))
    return n, n / (time.process_time() - c0), n / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fractions", default="0.1,0.25,0.5,1")
    ap.add_argument("--snn", type=int, default=2000, help="SaudiNewsNet articles to predict")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    args = ap.parse_args()
    wojood = args.data / "wojood"
    if not (wojood / "train.txt").is_file():
        print(f"skipped: {wojood} is absent (the shared data)")
        return 0
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    print(
        f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(the machine is shared: timings grow with it)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-suggest-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        release = release_of(wojood, work)
        train = read_split(release, "train")
        test = read_split(release, "test")
        print(
            f"Wojood imported from its three files (import-conll --split) and released in "
            f"{time.perf_counter() - t0:.1f} s: train {len(train.sentences)} sentences, test "
            f"{len(test.sentences)} sentences ({test.tokens} tokens)"
        )
        snn = sorted((args.data / "saudinewsnet").glob("*.zip"))
        unlabelled = []
        if snn:
            build_corpus(
                CorpusBuildOptions([snn[0]], work / "snn", workers=1, near=False, progress=False)
            )
            unlabelled = [work / "snn"]
        print(
            "word clusters of our model learned from the train sentences and "
            + (f"{snn[0].name} (SaudiNewsNet, unannotated)" if snn else "nothing else")
        )
        rows = []
        header = (
            f"{'train':>6} {'model':<9} {'F1':>6} {'P':>6} {'R':>6} {'edits/100 sugg':>15} "
            f"{'from blank':>11} {'saved':>6} {'train s':>8}"
        )
        print(header)
        for frac in [float(x) for x in args.fractions.split(",")]:
            for features, name in ((ARABIC, "ours"), (BASELINE, "baseline")):
                out = work / f"model-{name}-{frac}"
                card = train_model(
                    TrainOptions(
                        release,
                        out,
                        "train",
                        unlabelled=unlabelled if features == ARABIC else [],
                        features=features,
                        fraction=frac,
                        validation_split=None,
                    )
                )
                fig = score_split(SuggestModel(out), test)
                m, e = fig["entities"]["micro"], fig["edits"]
                row = {
                    "fraction": frac,
                    "model": name,
                    "sentences": card["release"]["sentences"],
                    "f1": m["f1"],
                    "precision": m["precision"],
                    "recall": m["recall"],
                    "edits_per_100_suggestions": e["per_100_tokens_from_suggestions"],
                    "edits_per_100_blank": e["per_100_tokens_from_blank"],
                    "edits_saved": e["saved"],
                    "training_seconds": card["training_seconds"],
                    "by_label": fig["entities"]["by_label"],
                }
                rows.append(row)
                print(
                    f"{100 * frac:>5.0f}% {name:<9} {m['f1']:>6.3f} {m['precision']:>6.3f} "
                    f"{m['recall']:>6.3f} {e['per_100_tokens_from_suggestions']:>15.2f} "
                    f"{e['per_100_tokens_from_blank']:>11.2f} {100 * e['saved']:>5.0f}% "
                    f"{card['training_seconds']:>8.1f}"
                )
                sys.stdout.flush()
        fractions = [float(x) for x in args.fractions.split(",")]
        full = work / f"model-ours-{max(fractions)}"  # the model trained on the most
        n, cpu, wall = speed(full, work / "import" / "corpus")
        print(
            f"prediction, one core: Wojood {n} articles (one sentence each, every split), "
            f"{cpu:.0f}/s of CPU time ({wall:.0f}/s by the wall clock)"
        )
        snn_rate = None
        if snn and args.snn:
            n, snn_rate, wall = speed(full, work / "snn", args.snn)
            print(
                f"prediction, one core: SaudiNewsNet {n} articles ({snn[0].name}), "
                f"{snn_rate:.0f}/s of CPU time ({wall:.0f}/s by the wall clock)"
            )
        best = {r["model"]: r for r in rows if r["fraction"] == 1.0}
        if "ours" in best:
            o, b = best["ours"], best["baseline"]
            print(
                f"at 100%: ours F1 {o['f1']:.3f} vs baseline {b['f1']:.3f} "
                f"({'ahead' if o['f1'] > b['f1'] else 'NOT ahead'}; goal >= 0.74: "
                f"{'met' if o['f1'] >= 0.74 else 'not met'}); edits saved "
                f"{100 * o['edits_saved']:.0f}% (goal 40%); training {o['training_seconds']:.0f} s "
                f"(goal < 300 s); SaudiNewsNet {snn_rate or 0:.0f} articles/s (goal 200)"
            )
        if args.json:
            args.json.write_text(
                json.dumps({"rows": rows, "snn_articles_per_s": snn_rate}, indent=1)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
