"""Every release has the same configs (``ner`` the default): ``ner_nested`` holds every entity,
nested ones too, and ``events`` one row per sentence with every event and argument as token
spans; checked on the demo's release and on Wojood imported from its three files."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from akhbar.annotation.conll.reader import nested_count, read_conll
from akhbar.corpus.release.features import CONFIGS
from akhbar.corpus.release.splits import SPLITS
from akhbar.schemas.taxonomy import load as load_taxonomy
from tests.helpers import SHARED_DATA, run_akhbar

# ../shared/data beside the checkout; AKHBAR_SHARED_DATA points elsewhere (a git worktree).
SHARED = Path(os.environ.get("AKHBAR_SHARED_DATA") or SHARED_DATA)
WOJOOD = SHARED / "wojood"


def rows(release: Path, config: str) -> list[dict]:
    out = []
    for split in SPLITS:
        for f in sorted((release / "data" / config).glob(f"{split}-*.parquet")):
            out += [{**r, "_split": split} for r in pq.read_table(f).to_pylist()]
    return out


def card_yaml(release: Path) -> dict:
    text = (release / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


@pytest.fixture(scope="module")
def demo_release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    code, stdout, err = run_akhbar("demo", "--offline", "--out", out)
    assert code == 0, stdout + err
    return out / "releases" / "v1.0.0"


def check_configs(release: Path) -> None:
    """All configs, in the manifest and the card, with their features; ner is the default."""
    m = json.loads((release / "manifest.json").read_text())
    assert tuple(m["configs"]) == CONFIGS
    card = card_yaml(release)
    assert [c["config_name"] for c in card["configs"]] == list(CONFIGS)
    assert [c["config_name"] for c in card["configs"] if c.get("default")] == ["ner"]
    assert {i["config_name"] for i in card["dataset_info"]} == set(CONFIGS)
    ner = [(r["_split"], r["id"], r["tokens"]) for r in rows(release, "ner")]
    for config in ("ner_nested", "events"):  # the same sentences and tokens as ner
        assert [(r["_split"], r["id"], r["tokens"]) for r in rows(release, config)] == ner


def _within(row: dict, span: dict) -> bool:
    """A token span covers the code-point span it was made from."""
    return (
        row["token_starts"][span["start"]] <= span["char_start"]
        and span["char_end"] <= row["token_ends"][span["end"] - 1]
        and row["text"][span["char_start"] : span["char_end"]] == span["text"]
    )


def test_demo_release_has_every_config_event_and_argument(demo_release):
    check_configs(demo_release)
    docs = rows(demo_release, "documents")
    # every event and argument of documents, by article, as (type, trigger, role, entity span)
    want, got = Counter(), Counter()
    ent_by_id = {(d["id"], e["id"]): e for d in docs for e in d["entities"]}
    for d in docs:
        for ev in d["events"]:
            t = ev["trigger"]
            want[(d["id"], ev["id"], ev["type"], t["start"], t["end"])] += 1
            for a in ev["arguments"]:
                e = ent_by_id[(d["id"], a["entity_id"])]
                want[(d["id"], ev["id"], a["role"], e["label"], e["start"], e["end"])] += 1
    event_free = 0
    for r in rows(demo_release, "events"):
        event_free += not r["events"]
        for ev in r["events"]:
            t = ev["trigger"]
            assert _within(r, t)
            got[(r["article_id"], ev["id"], ev["type"], *(r["start"] + t[k] for k in ("char_start", "char_end")))] += 1  # fmt: skip
            for a in ev["arguments"]:
                assert _within(r, a)
                got[(r["article_id"], ev["id"], a["role"], a["entity_label"],
                     r["start"] + a["char_start"], r["start"] + a["char_end"])] += 1  # fmt: skip
    n_events = sum(len(d["events"]) for d in docs)
    n_args = sum(len(ev["arguments"]) for d in docs for ev in d["events"])
    assert (n_events, n_args) == (84, 259)  # the bundled sample's annotations
    assert got == want
    assert event_free > 0
    m = json.loads((demo_release / "manifest.json").read_text())
    assert m["adjustments"]["events_argument_outside_sentence"] == 0


def test_demo_release_ner_nested_has_every_entity(demo_release):
    docs = rows(demo_release, "documents")
    want = Counter((d["id"], e["id"], e["start"], e["end"], e["label"]) for d in docs for e in d["entities"])  # fmt: skip
    got = Counter()
    for r in rows(demo_release, "ner_nested"):
        for e in r["entities"]:
            assert _within(r, e)
            got[(r["article_id"], e["id"], r["start"] + e["char_start"], r["start"] + e["char_end"], e["label"])] += 1  # fmt: skip
    assert got == want


def test_an_unknown_or_parent_folder_is_not_loaded_and_the_releases_are_listed(demo_release):
    code, _out, err = run_akhbar("release", "load", demo_release.parent)
    assert code == 2
    assert err.strip().splitlines() == [
        f"akhbar: error: {demo_release.parent}: not a release directory (no manifest.json); "
        f"the releases in it: v1.0.0 (e.g. akhbar release load {demo_release})"
    ]


@pytest.mark.shared_data
@pytest.mark.skipif(not WOJOOD.is_dir(), reason=f"{WOJOOD} is absent")
def test_wojood_ner_nested_has_every_nested_entity(tmp_path):
    imp = tmp_path / "imp"
    files = {"train": "train", "validation": "val", "test": "test"}
    args = [a for s, f in files.items() for a in ("--split", f"{s}={WOJOOD / f'{f}.txt'}")]
    for argv in (
        ("annotate", "import-conll", *args, "--taxonomy", "wojood", "--out", imp),
        ("annotate", "validate", imp / "documents.jsonl", "--corpus", imp / "corpus",
         "--taxonomy", "wojood", "--out", tmp_path / "val"),
        ("release", "build", "--version", "1.0.0", "--corpus", imp / "corpus", "--documents",
         tmp_path / "val", "--out", tmp_path / "rel", "--taxonomy", "wojood"),
    ):  # fmt: skip
        code, out, err = run_akhbar(*argv)
        assert code == 0, out + err
    release = tmp_path / "rel" / "v1.0.0"
    check_configs(release)
    labels = load_taxonomy("wojood").entity_names
    # every entity of the files, nested ones too: (split, sentence tokens, token span, label)
    want, nested = Counter(), 0
    for split, f in files.items():
        for s in read_conll(WOJOOD / f"{f}.txt"):
            want.update((split, tuple(s.tokens), sp.start, sp.end, sp.label) for sp in s.spans)
            nested += nested_count(s.spans)
    got = Counter(
        (r["_split"], tuple(r["tokens"]), e["start"], e["end"], labels[e["label"]])
        for r in rows(release, "ner_nested")
        for e in r["entities"]
    )
    assert got == want
    assert nested > 800  # Wojood's sample nests hundreds of entities
    events = rows(release, "events")
    assert events and not any(r["events"] for r in events)  # no events, but the config is there
