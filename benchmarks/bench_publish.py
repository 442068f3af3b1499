"""Benchmark of ``akhbar release publish``: the time to publish a release to a Hub and verify
what the tag gives back, through the stand-in for the Hub that the tests use
(``tests/helpers/hub_standin.py``: a local server speaking the Hub's HTTP API, since the Hub
cannot be reached from here; it stores every file as a regular git blob, in memory).

Releases: the demo's (``akhbar demo --offline``) and one of N generated documents (default
100,000, made as ``bench_release.py`` makes them). For each it prints the release's size, the
time of the whole publish (local verify, commit, tag, download of the tag and its verify), of a
second publish of the same version (a no-op), and, as a baseline measured in the same run, of
``release verify`` of the local copy alone.

    .venv/bin/python benchmarks/bench_publish.py [--docs 100000] [--workers 0] [--skip-demo]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TOKEN = "hf_bench_token"


def _size(release: Path) -> tuple[int, int]:
    files = [p for p in release.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure(name: str, release: Path, hub) -> None:
    from akhbar.corpus.release.hub import publish_release
    from akhbar.corpus.release.options import PublishOptions
    from akhbar.corpus.release.verify import verify_release

    files, size = _size(release)
    verify_release(release)  # once untimed: imports and the page cache are warm for both
    t0 = time.perf_counter()
    problems = verify_release(release)
    t_verify = time.perf_counter() - t0
    assert not problems, problems[:3]
    repo = f"bench/{name}"
    t0 = time.perf_counter()
    result = publish_release(PublishOptions(release, repo, endpoint=hub.url))
    t_publish = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = publish_release(PublishOptions(release, repo, endpoint=hub.url))
    t_again = time.perf_counter() - t0
    assert result.published and not again.published
    print(
        f"{name}: {files} files, {size / 1e6:,.1f} MB; publish + verify of the tag "
        f"{t_publish:.1f} s ({size / 1e6 / t_publish:,.1f} MB/s); republish (no-op) "
        f"{t_again:.1f} s; local release verify alone {t_verify:.1f} s "
        f"(publish = {t_publish / t_verify:.1f}x verify)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()

    os.environ["HF_TOKEN"] = TOKEN
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    from tests.helpers.hub_standin import HubStandIn

    with tempfile.TemporaryDirectory(prefix="akhbar-bench-publish-") as tmp:
        root = Path(tmp)
        os.environ["HF_HOME"] = str(root / "hf-home")
        import huggingface_hub.constants

        huggingface_hub.constants.HF_TOKEN_PATH = str(root / "no-stored-token")
        hub = HubStandIn(tokens=(TOKEN,)).start()
        try:
            if not args.skip_demo:
                t0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "akhbar.cli.main", "demo", "--offline", "--out",
                     str(root / "demo")],
                    check=True, capture_output=True, cwd=root,
                )  # fmt: skip
                print(f"demo release built in {time.perf_counter() - t0:.1f} s", flush=True)
                measure("demo", root / "demo" / "releases" / "v1.0.0", hub)
            if args.docs:
                from akhbar.corpus.release.build import BuildOptions, build_release
                from tests.helpers.generated_release import generate

                t0 = time.perf_counter()
                corpus, validated, _ = generate(args.docs, root / "gen")
                built = build_release(
                    BuildOptions(
                        version="1.0.0",
                        corpus=corpus,
                        documents=validated,
                        out=root / "releases",
                        workers=args.workers,
                    )
                )
                print(
                    f"{args.docs:,}-document release generated and built in "
                    f"{time.perf_counter() - t0:.1f} s",
                    flush=True,
                )
                measure(f"docs-{args.docs}", built.path, hub)
        finally:
            hub.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (client and stand-in together): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
