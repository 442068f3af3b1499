"""Benchmark of ``akhbar annotate import-conll`` on a generated 150,000-token CoNLL file with no
blank lines (sentence ends only as ``.`` tokens), against baselines measured in the same run.

Cases, each timed in this process with the real ``import_conll`` (corpus store, documents,
issues file, report), best of ``--repeat`` runs:

- ``no blank lines``: the file as real ones often are; sentences are split at ``.`` tokens;
- ``split file``: the same tokens with a blank line after every sentence (the baseline);
- ``one sentence``: the no-blank-lines file read as ONE 150,000-token sentence (splitting off),
  the case that was quadratic;
- ``article size 20``: the no-blank-lines file, 20 sentences per article;
- ``plain read``: reading the file and splitting every line into fields, the floor;
- ``command line``: the whole ``akhbar annotate import-conll`` process on the no-blank-lines
  file, interpreter start-up and imports included (what a user waits for).

    .venv/bin/python benchmarks/bench_conll.py [--tokens 150000] [--repeat 3]

Goal of issue 15: the 150,000-token import in under 5 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from akhbar.annotation.conll.importer import ImportOptions, import_conll
from akhbar.schemas.taxonomy import TAXONOMY_DIR
from akhbar.schemas.taxonomy import load as load_taxonomy

WORDS = [
    "قال",
    "أكد",
    "أعلن",
    "أشار",
    "الحكومة",
    "الوزارة",
    "المدينة",
    "العاصمة",
    "القوات",
    "الجيش",
    "الأمن",
    "الشرطة",
    "في",
    "من",
    "إلى",
    "مع",
    "على",
    "عن",
    "بعد",
    "قبل",
    "خلال",
    "الهجوم",
    "الانفجار",
    "الضحايا",
    "المفاوضات",
    "الاتفاق",
    "البرلمان",
    "المجلس",
]
NAMES = {
    "PERS": ["محمد علي", "أحمد حسن أبو شرخ", "سمير"],
    "GPE": ["بغداد", "دمشق", "الضفة الغربية"],
    "ORG": ["وزارة الداخلية", "الأمم المتحدة", "مجلس الأمن"],
    "OCC": ["وزير الخارجية", "المتحدث باسم الجيش"],
}


def generate(n_tokens: int, seed: int = 15) -> list[list[str]]:
    """Sentences of ``TOKEN TAG...`` lines, each ending with a ``.`` token; some nested tags."""
    rng = random.Random(seed)
    sentences: list[list[str]] = []
    total = 0
    while total < n_tokens:
        sent: list[str] = []
        for _ in range(rng.randint(8, 30)):
            if rng.random() < 0.12:
                label = rng.choice(list(NAMES))
                words = rng.choice(NAMES[label]).split()
                nested = label == "OCC" and len(words) > 2  # OCC with an ORG inside
                for i, w in enumerate(words):
                    tags = [("B-" if i == 0 else "I-") + label]
                    if nested and i == 2:
                        tags.append("B-ORG")
                    sent.append(f"{w} {' '.join(tags)}")
            else:
                sent.append(f"{rng.choice(WORDS)} O")
        sent.append(". O")
        sentences.append(sent)
        total += len(sent)
    return sentences


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _plain_read(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        line.split()


def _command_line(path: Path, out: Path, taxonomy: Path) -> None:
    akhbar = Path(sys.executable).parent / "akhbar"
    argv = [str(akhbar), "annotate", "import-conll", str(path), "--taxonomy", str(taxonomy)]
    subprocess.run([*argv, "--out", str(out), "--force"], check=True, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=150_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tax = load_taxonomy(TAXONOMY_DIR / "wojood.yaml")
    sentences = generate(args.tokens)
    with tempfile.TemporaryDirectory(prefix="bench-conll-") as tmp:
        root = Path(tmp)
        flat, split = root / "flat.txt", root / "split.txt"
        flat.write_text("\n".join(ln for s in sentences for ln in s) + "\n", encoding="utf-8")
        split.write_text("\n\n".join("\n".join(s) for s in sentences) + "\n", encoding="utf-8")
        n_tokens = sum(len(s) for s in sentences)
        print(f"{n_tokens:,} tokens in {len(sentences):,} sentences ({flat.stat().st_size:,} B)")

        def run(path: Path, **options):
            return lambda: import_conll(
                ImportOptions(path, tax, root / "out", force=True, **options)
            )

        cases = [
            ("plain read (floor)", lambda: _plain_read(flat)),
            ("split file (baseline)", run(split)),
            ("no blank lines", run(flat)),
            ("one sentence", run(flat, sentence_end=())),
            ("article size 20", run(flat, article_size=20)),
            (
                "command line",
                lambda: _command_line(flat, root / "cli", TAXONOMY_DIR / "wojood.yaml"),
            ),
        ]
        times = {name: _best(fn, args.repeat) for name, fn in cases}
        base = times["split file (baseline)"]
        for name, t in times.items():
            print(
                f"{name:24s} {t:7.3f} s  {n_tokens / t:12,.0f} tokens/s  "
                f"{t / base:5.2f}x the split file"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of the in-process runs: {peak:.0f} MB")
        goal = max(times["no blank lines"], times["command line"])
        print(f"goal (< 5 s for the no-blank-lines import): {'met' if goal < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
