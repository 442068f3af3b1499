"""`akhbar release publish` and `release load OWNER/NAME` with the real ``huggingface_hub``
client and ``datasets``, against a stand-in for the Hub (tests/hub_standin.py: a local server
speaking the Hub's HTTP API, since the Hub cannot be reached from here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_akhbar
from tests.helpers.hub_standin import HubStandIn
from tests.helpers.releases import ARTICLES, MORE_ARTICLES, write_inputs

TOKEN = "hf_standin_write_token"
REPO = "curator/akhbar-conflict"
RATIOS = "0.4,0.3,0.3"


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> Path:
    """v1.0.0 from the hand-written articles in parts of 3 (several files per split), v1.1.0
    with two more in one part each: v1.0.0's part files are not in v1.1.0."""
    root = tmp_path_factory.mktemp("publish")
    out = root / "releases"
    for version, arts, part in (
        ("1.0.0", ARTICLES, "3"),
        ("1.1.0", ARTICLES + MORE_ARTICLES, "4096"),
    ):
        corpus, documents = write_inputs(root / f"in-{version}", arts)
        code, _, err = run_akhbar(
            "release", "build", "--version", version, "--corpus", corpus,
            "--documents", documents, "--out", out, "--ratios", RATIOS, "--workers", "1",
            "--license", "cc-by-4.0", "--part-size", part,
        )  # fmt: skip
        assert code == 0, err
    return out


@pytest.fixture
def hub(monkeypatch, tmp_path):
    """A fresh stand-in for the Hub, the token in HF_TOKEN, no stored login, own HF cache."""
    import huggingface_hub.constants

    server = HubStandIn(tokens=(TOKEN,)).start()
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    yield server
    server.stop()


def publish(hub: HubStandIn, release: Path, *extra: str) -> tuple[int, str, str]:
    return run_akhbar("release", "publish", release, "--repo", REPO, "--endpoint", hub.url, *extra)


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_two_versions_give_two_commits_and_two_tags_byte_for_byte(hub, releases):
    v1, v11 = releases / "v1.0.0", releases / "v1.1.0"
    code, _, err = publish(hub, v1)
    assert code == 0, err
    code, out2, err = publish(hub, v11)
    assert code == 0, err
    repo = hub.repo(REPO)
    assert set(repo.tags) == {"v1.0.0", "v1.1.0"}
    # the initial commit of the repository, then one commit per version
    head = repo.resolve("main")
    history = repo.history(head)
    assert [c.title for c in history][:2] == [
        f"Release v1.1.0 (manifest sha256 {_sha(v11 / 'manifest.json')})",
        f"Release v1.0.0 (manifest sha256 {_sha(v1 / 'manifest.json')})",
    ]
    assert len(history) == 3
    assert repo.tags["v1.1.0"][0] == head.oid
    assert repo.tags["v1.0.0"][0] == history[1].oid
    assert "## v1.1.0" in repo.tags["v1.1.0"][1]  # the changelog entry is the tag's message
    for tag, release in (("v1.0.0", v1), ("v1.1.0", v11)):
        commit = repo.resolve(tag)
        released = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
        assert set(commit.files) - {".gitattributes"} == released
        for rel in released:
            assert hub.file_at(REPO, tag, rel) == (release / rel).read_bytes(), rel
    # v1.0.0's files that v1.1.0 does not have were deleted by v1.1.0's commit
    gone = set(repo.resolve("v1.0.0").files) - set(head.files)
    assert gone and all(p.startswith("data/") for p in gone)
    assert f"deleting {len(gone)} on main" in out2
    # what was printed: the URL, the commit and the tag
    assert f"{hub.url}/datasets/{REPO}" in out2
    assert head.oid in out2 and "v1.1.0" in out2


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(hub, releases):
    """v1.0.0 then v1.1.0 published to the stand-in."""
    for v in ("v1.0.0", "v1.1.0"):
        code, _, err = publish(hub, releases / v)
        assert code == 0, err
    return hub


def test_load_dataset_at_a_tag_gives_that_versions_rows(published, releases, tmp_path):
    """As a user does: HF_ENDPOINT at the stand-in, load_dataset(repo, "ner", revision=...)."""
    script = (
        "import json, sys\n"
        "from datasets import load_dataset\n"
        "out = {}\n"
        "for rev in ('v1.0.0', 'v1.1.0'):\n"
        f"    ds = load_dataset({REPO!r}, 'ner', revision=rev)\n"
        "    out[rev] = {s: sorted(ds[s]['id']) for s in ds}\n"
        "print(json.dumps(out))\n"
    )
    env = {
        **os.environ,
        "HF_ENDPOINT": published.url,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_DATASETS_OFFLINE", None)
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    import pyarrow.parquet as pq

    for rev in ("v1.0.0", "v1.1.0"):
        manifest = json.loads((releases / rev / "manifest.json").read_text())
        want = {}
        for split, c in manifest["configs"]["ner"].items():
            if c["rows"]:
                ids = [
                    i
                    for f in c["files"]
                    for i in pq.read_table(releases / rev / f)["id"].to_pylist()
                ]
                want[split] = sorted(ids)
        assert got[rev] == want, rev
    assert got["v1.0.0"] != got["v1.1.0"]


def test_release_load_from_the_hub_verifies_and_loads_every_config(published, releases):
    code, out, err = run_akhbar(
        "release", "load", REPO, "--revision", "v1.0.0", "--endpoint", published.url
    )
    assert code == 0, err
    manifest = json.loads((releases / "v1.0.0" / "manifest.json").read_text())
    for config, splits in manifest["configs"].items():
        counts = ", ".join(f"{s} {c['rows']}" for s, c in splits.items() if c["rows"])
        assert f"{config}: {counts}" in out


def test_republishing_a_version_makes_no_commit(published, releases):
    commits = len(published.repo(REPO).commits)
    code, out, err = publish(published, releases / "v1.1.0")
    assert code == 0, err
    assert "already published" in out
    assert len(published.repo(REPO).commits) == commits
    assert published.count("POST", r"/commit/") == 2


def test_an_older_version_than_the_branch_is_refused(published, releases, tmp_path):
    # v1.0.0 under another tag name cannot be made; rebuild a 1.0.1 older than v1.1.0
    out = tmp_path / "rel"
    corpus, documents = write_inputs(tmp_path / "in", ARTICLES)
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.1", "--corpus", corpus, "--documents", documents,
        "--out", out, "--ratios", RATIOS, "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = publish(published, out / "v1.0.1")
    assert code == 2
    assert "newer than v1.0.1" in one_line(err) and "--branch" in err
    assert "v1.0.1" not in published.repo(REPO).tags
    # to another branch it goes: a new branch starts at the tag of the version below, v1.0.0
    code, out_, err = publish(published, out / "v1.0.1", "--branch", "v1.0-fixes")
    assert code == 0, err
    repo = published.repo(REPO)
    assert "created branch v1.0-fixes from v1.0.0" in out_
    fixes = repo.resolve("v1.0-fixes")
    assert repo.tags["v1.0.1"][0] == fixes.oid
    assert fixes.parent == repo.tags["v1.0.0"][0]
    assert repo.resolve("main").oid == repo.tags["v1.1.0"][0]  # main untouched


def test_a_different_manifest_under_a_published_tag_is_refused(published, releases, tmp_path):
    out = tmp_path / "rel"
    corpus, documents = write_inputs(tmp_path / "in", ARTICLES)
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.1.0", "--corpus", corpus, "--documents", documents,
        "--out", out, "--ratios", RATIOS, "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = publish(published, out / "v1.1.0")
    assert code == 2
    assert "tag v1.1.0 already exists with a different manifest" in one_line(err)
    assert published.count("POST", r"/commit/") == 2


def test_a_racing_publish_is_refused_and_nothing_is_tagged(hub, releases):
    def someone_else_commits(repo, branch):
        head = repo.commits[repo.branches[branch]]
        other = hub._new_commit(repo, head, dict(head.files), "someone else's commit", "")
        repo.branches[branch] = other.oid

    hub.before_commit = someone_else_commits
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 2
    assert "the branch moved since it was read" in one_line(err)
    assert hub.repo(REPO).tags == {}
    assert hub.repo(REPO).resolve("main").title == "someone else's commit"


def test_a_server_error_on_commit_is_one_line_and_leaves_no_tag(hub, releases):
    hub.faults["commit"] = 500
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 2
    line = one_line(err)
    assert "could not commit" in line and "HTTP 500" in line and "nothing was tagged" in line
    assert hub.repo(REPO).tags == {}
    # the next attempt goes through
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 0, err
    assert set(hub.repo(REPO).tags) == {"v1.0.0"}


def test_a_failed_tag_is_made_by_the_next_publish_without_a_second_commit(hub, releases):
    hub.faults["tag"] = 500
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 2 and "could not tag the commit" in one_line(err)
    assert hub.repo(REPO).tags == {}
    code, out, err = publish(hub, releases / "v1.0.0")
    assert code == 0, err
    assert "already holds v1.0.0; tagging it" in out
    assert hub.count("POST", r"/commit/") == 1


def test_missing_token_is_one_line(hub, releases, monkeypatch):
    monkeypatch.delenv("HF_TOKEN")
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 2
    assert "no Hugging Face token: set HF_TOKEN" in one_line(err)
    assert hub.requests == []


def test_refused_token_is_one_line(hub, releases, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_valid_token")
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 2
    assert "the token was refused" in one_line(err)
    assert hub.repos == {}


def test_stored_login_is_used_when_hf_token_is_unset(hub, releases, monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.delenv("HF_TOKEN")
    stored = tmp_path / "token"
    stored.write_text(TOKEN)
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(stored))
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 0, err


def test_unreachable_endpoint_is_one_line(hub, releases):
    code, _, err = run_akhbar(
        "release", "publish", releases / "v1.0.0", "--repo", REPO, "--endpoint",
        "http://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2
    assert "http://127.0.0.1:9: the Hub cannot be reached" in one_line(err)


def test_a_repo_of_another_type_is_refused(hub, releases):
    hub.create_repo("model", REPO, private=False)
    code, _, err = publish(hub, releases / "v1.0.0")
    assert code == 2
    assert "that is a model repository" in one_line(err)
    assert ("dataset", REPO) not in hub.repos
    code, _, err = run_akhbar(
        "release", "publish", releases / "v1.0.0", "--repo", f"spaces/{REPO}",
        "--endpoint", hub.url,
    )  # fmt: skip
    assert code == 2 and "not to spaces" in one_line(err)


def test_a_release_that_does_not_verify_is_not_published(hub, releases, tmp_path):
    import shutil

    copy = tmp_path / "releases"
    shutil.copytree(releases, copy)
    card = copy / "v1.0.0" / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    code, _, err = publish(hub, copy / "v1.0.0")
    assert code == 2
    assert "does not verify" in one_line(err) and "README.md" in err
    assert hub.requests == []


def test_private_repo_is_created_private(hub, releases):
    code, _, err = publish(hub, releases / "v1.0.0", "--private")
    assert code == 0, err
    assert hub.repo(REPO).private
