"""Hardening, second round (issue 19, case 1): builds of different versions into one
``--out`` at the same time, as separate processes. The directory of releases is locked from
the plan to the publication, so a second build fails at once naming the holder (or, started
after the first finished, is planned against it); no release ever claims ``moved: 0`` while
its articles changed split."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson

from tests.helpers.releases import write_inputs

AKHBAR = Path(sys.executable).parent / "akhbar"


def build(out: Path, corpus: Path, documents: Path, version: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(AKHBAR), "release", "build", "--version", version, "--corpus", str(corpus),
         "--documents", str(documents), "--out", str(out), "--workers", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def splits_of(release: Path) -> dict[str, str]:
    return {
        a: e["split"]
        for a, e in orjson.loads((release / "manifest.json").read_bytes())["articles"].items()
    }


def test_case1_two_builds_of_different_versions_into_one_out_at_once(tmp_path):
    corpus, documents = write_inputs(tmp_path / "in")
    for attempt in range(2):  # the interleaving differs from run to run: each must hold
        out = tmp_path / f"releases{attempt}"
        first = build(out, corpus, documents, "6.0.0")
        second = build(out, corpus, documents, "6.0.1", "--ratios", "0.34,0.33,0.33")
        _, e1 = first.communicate(timeout=120)
        _, e2 = second.communicate(timeout=120)
        c1, c2 = first.returncode, second.returncode
        codes = sorted([c1, c2])
        assert codes == [0, 2], (c1, e1, c2, e2)  # before: both 0, both "first release"
        loser = e2 if c2 else e1
        assert "Traceback" not in loser and len(loser.strip().splitlines()) == 1, loser
        assert (
            "is being written by another akhbar run (pid " in loser  # they overlapped
            or "would change split since v6.0.0" in loser  # 6.0.1 planned after 6.0.0
            or "is not above the latest release v6.0.1" in loser  # 6.0.0 after 6.0.1
        ), loser
        built = sorted(p.name for p in out.iterdir() if p.name.startswith("v"))
        assert len(built) == 1, built
        manifest = orjson.loads((out / built[0] / "manifest.json").read_bytes())
        assert manifest["previous"] is None and manifest["splits"]["moved"] == 0
        assert sorted(orjson.loads((out / "index.json").read_bytes())["releases"]) == [built[0][1:]]
        assert not [p for p in out.parent.iterdir() if "akhbar-lock" in p.name]


def test_case1_moved_is_computed_against_the_latest_published_release(tmp_path):
    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"
    assert build(out, corpus, documents, "6.0.0").wait(120) == 0
    p = build(out, corpus, documents, "6.0.1", "--ratios", "0.34,0.33,0.33", "--resplit")
    assert p.wait(120) == 0, p.stderr.read()
    old, new = splits_of(out / "v6.0.0"), splits_of(out / "v6.0.1")
    moved = sum(old[a] != new[a] for a in new if a in old)
    assert moved > 0
    manifest = orjson.loads((out / "v6.0.1" / "manifest.json").read_bytes())
    assert manifest["previous"] == "6.0.0"
    assert manifest["splits"] == {**manifest["splits"], "resplit": True, "moved": moved}


def test_case1_a_build_fails_at_once_naming_the_run_that_holds_the_releases(tmp_path):
    """The holder is a process holding the directory's lock (the real ``OutputLock``) while a
    build starts: the build waits for nothing and names it."""
    corpus, documents = write_inputs(tmp_path / "in")
    out = tmp_path / "releases"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from akhbar.corpus.runtime.publish import OutputLock\n"
         "with OutputLock(Path(sys.argv[1]), 'directory of releases'):\n"
         "    print('held', flush=True); time.sleep(60)", str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        p = build(out, corpus, documents, "1.0.0")
        _, err = p.communicate(timeout=60)
        assert p.returncode == 2, err
        assert time.monotonic() - started < 30  # at once, not after the holder
        assert f"{out} is being written by another akhbar run (pid {holder.pid})" in err
        assert len(err.strip().splitlines()) == 1 and not out.exists()
    finally:
        holder.kill()
        holder.wait()
    assert build(out, corpus, documents, "1.0.0").wait(120) == 0  # the lock went with it
    assert sorted(os.listdir(out)) == ["index.json", "v1.0.0"]
