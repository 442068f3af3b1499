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
from hub_standin import HubStandIn
from release_fixtures import ARTICLES, MORE_ARTICLES, write_inputs

from tests.conftest import run_akhbar

TOKEN = "hf_standin_write_token"
REPO = "curator/akhbar-conflict"
RATIOS = "0.4,0.3,0.3"


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> Path:
    """v1.0.0 from the hand-written articles, v1.1.0 with two more, in one directory."""
    root = tmp_path_factory.mktemp("publish")
    out = root / "releases"
    for version, arts in (("1.0.0", ARTICLES), ("1.1.0", ARTICLES + MORE_ARTICLES)):
        corpus, documents = write_inputs(root / f"in-{version}", arts)
        code, _, err = run_akhbar(
            "release", "build", "--version", version, "--corpus", corpus,
            "--documents", documents, "--out", out, "--ratios", RATIOS, "--workers", "1",
            "--license", "cc-by-4.0",
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
    return run_akhbar(
        "release", "publish", release, "--repo", REPO, "--endpoint", hub.url, *extra
    )


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_two_versions_give_two_commits_and_two_tags_byte_for_byte(hub, releases):
    v1, v11 = releases / "v1.0.0", releases / "v1.1.0"
    code, out, err = publish(hub, v1)
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
        released = {
            p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()
        }
        assert set(commit.files) - {".gitattributes"} == released
        for rel in released:
            assert hub.file_at(REPO, tag, rel) == (release / rel).read_bytes(), rel
    # what was printed: the URL, the commit and the tag
    assert f"{hub.url}/datasets/{REPO}" in out2
    assert head.oid in out2 and "v1.1.0" in out2


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
