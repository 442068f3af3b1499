"""Hardening, second round (issue 19), releases: no released file records a local path with
every option of ``release build``; a release index or manifest of the wrong shape is one line;
``release load --no-verify`` on a damaged release is one line naming the file; concurrent
builds into one ``--out`` take turns on the releases root (subprocess tests in
``test_hardening_release_concurrency.py``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import orjson
import pytest
from conftest import REPO, run_akhbar
from release_fixtures import write_inputs

from tests.test_agreement_cli import make_sample

TAXONOMY = REPO / "schemas" / "taxonomies" / "ace_ar_conflict.yaml"
# An absolute path of the kinds a build machine has; a released file names, never locates.
LOCAL = re.compile(rb"(?<![\w.:/])/(?:tmp|home|root|work|Users|var|private|mnt|srv|opt)/")


# --- case 17: no released file records a local path, with every option -----------------------


@pytest.fixture(scope="module")
def every_option(tmp_path_factory) -> tuple[Path, Path]:
    """A release built with every option of ``release build`` that can carry a path, each
    given as an absolute path: --corpus, --documents, --taxonomy, --agreement, --previous
    (a release in another directory), --out."""
    root = tmp_path_factory.mktemp("every_option")
    root, snap, _, _ = make_sample(root)
    corpus = root / "corpus"
    taxonomy = root / "my-taxonomy.yaml"
    shutil.copy(TAXONOMY, taxonomy)
    for argv in (
        ["annotate", "agreement", snap, "--corpus", corpus, "--out", root / "agr",
         "--taxonomy", taxonomy],
        ["annotate", "validate", snap, "--corpus", corpus, "--out", root / "val",
         "--taxonomy", taxonomy],
        ["release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
         root / "val", "--out", root / "old", "--taxonomy", taxonomy, "--workers", "1"],
        ["release", "build", "--version", "1.1.0", "--corpus", corpus, "--documents",
         root / "val", "--out", root / "rel", "--taxonomy", taxonomy, "--agreement",
         root / "agr", "--previous", root / "old" / "v1.0.0", "--ratios", "0.5,0.25,0.25",
         "--resplit", "--license", "cc-by-4.0", "--part-size", "5", "--workers", "1"],
    ):  # fmt: skip
        code, _, err = run_akhbar(*argv)
        assert code in (0, 1), (argv[:2], err)  # validate: 1 when something was quarantined
    return root, root / "rel" / "v1.1.0"


def test_case17_no_released_file_records_a_local_path_with_every_option(every_option):
    root, release = every_option
    needles = {str(root).encode(), str(Path.home()).encode(), str(REPO).encode()}
    files = sorted(p for p in release.rglob("*") if p.is_file())
    assert {"agreement.json", "manifest.json", "README.md", "CHANGELOG.md", "croissant.json"} <= {
        p.name for p in files
    }
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, (path, needle)
        found = LOCAL.search(data)
        assert found is None, (path, data[max(found.start() - 60, 0) : found.end() + 60])


def test_case17_the_agreement_is_recorded_by_name_and_otherwise_unchanged(every_option):
    root, release = every_option
    source = orjson.loads((root / "agr" / "agreement.json").read_bytes())
    copied = orjson.loads((release / "agreement.json").read_bytes())
    assert source["snapshot"]["path"] == str(root / "snapshot.json")  # local to the machine
    assert copied["snapshot"] == {**source["snapshot"], "path": "snapshot.json"}
    assert {k: v for k, v in copied.items() if k != "snapshot"} == {
        k: v for k, v in source.items() if k != "snapshot"
    }
    entry = orjson.loads((release / "manifest.json").read_bytes())["agreement"]
    assert entry["source"]["path"] == "agreement.json"
    code, out, err = run_akhbar("release", "verify", release)
    assert code == 0, out + err
