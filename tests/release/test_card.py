"""The card's Hub metadata and its offline check, the card-info file, the provenance the card
states (from the manifest), GUIDELINES.md and the data statement."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from akhbar.annotation.labelstudio.labelconfig import instructions_html
from akhbar.corpus.release.card_spec import REQUIRED, check_card_metadata
from akhbar.corpus.release.describe import card_metadata
from akhbar.schemas.guidelines import STEPS
from akhbar.schemas.taxonomy import TAXONOMY_DIR, load
from tests.helpers import SHARED_DATA, run_akhbar
from tests.helpers.releases import write_inputs

WOJOOD = TAXONOMY_DIR / "wojood.yaml"

CARD_INFO = {
    "version": 1,
    "citation": "@misc{example_release,\n  title = {Example release},\n  year = {2026}\n}",
    "license": "cc-by-4.0",
    "attribution": "Articles by their publishers; annotations by the example team.",
    "intended_uses": "Training and evaluating Arabic NER and event extraction.",
    "maintainer": "Example team",
    "contact": "data@example.org",
    "curation_rationale": "Conflict news for event extraction.",
    "language_variety": "Modern Standard Arabic (news).",
    "language_details": ["arb-Arab"],
    "annotators": "Two trained annotators.",
    "known_limitations": "A few sites and months.",
}


def build(tmp: Path, *extra, version="1.0.0") -> tuple[int, str, str]:
    corpus, documents = write_inputs(tmp / "in")
    return run_akhbar(
        "release", "build", "--version", version, "--corpus", corpus, "--documents", documents,
        "--out", tmp / "rel", "--ratios", "0.4,0.3,0.3", "--workers", "1", *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("card")
    code, out, err = build(tmp)
    assert code == 0, err
    return tmp / "rel" / "v1.0.0", out


def test_the_card_has_every_hub_field_and_passes_the_check(plain):
    release, _ = plain
    meta = card_metadata(release / "README.md")
    assert set(REQUIRED) <= set(meta)
    assert check_card_metadata(meta) == []
    # scraped articles annotated in Label Studio
    assert meta["source_datasets"] == ["original"]
    assert meta["annotations_creators"] == ["expert-generated"]
    assert meta["language_creators"] == ["found"]
    assert meta["multilinguality"] == ["monolingual"]
    names = [c["config_name"] for c in meta["configs"]]
    manifest = json.loads((release / "manifest.json").read_text())
    assert set(names) == {
        c for c, s in manifest["configs"].items() if any(x["rows"] for x in s.values())
    }
    assert {i["config_name"] for i in meta["dataset_info"]} == set(names)


def test_a_plain_build_warns_of_every_empty_card_field(plain):
    _, out = plain
    for field in ("citation", "maintainer", "contact", "intended_uses"):
        assert f"warning: card field '{field}' is empty" in out
    release, _ = plain
    card = (release / "README.md").read_text(encoding="utf-8")
    assert "_not stated (card-info file)_" in card  # never invented text


@pytest.mark.parametrize(
    ("field", "value"),
    [("license", "free-for-all"), ("task_categories", ["ner-please"]), ("task_ids", ["x"]),
     ("size_categories", ["big"]), ("language_details", ["Arabic"]),
     ("annotations_creators", ["robots"])],
)  # fmt: skip
def test_the_check_names_a_bad_field(plain, field, value):
    release, _ = plain
    meta = card_metadata(release / "README.md")
    meta[field] = value
    problems = check_card_metadata(meta)
    assert len(problems) == 1 and f"field `{field}`" in problems[0], problems


def test_a_missing_field_and_a_missing_dataset_info_are_named(plain):
    release, _ = plain
    meta = card_metadata(release / "README.md")
    del meta["pretty_name"]
    meta["dataset_info"] = meta["dataset_info"][:1]
    problems = check_card_metadata(meta)
    assert "field `pretty_name` is missing" in problems
    assert any("no entry for config(s)" in p for p in problems)


def test_build_refuses_a_bad_licence_in_one_line(tmp_path):
    code, _, err = build(tmp_path, "--license", "free-for-all")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "field `license`" in lines[0] and "'free-for-all'" in lines[0]
    assert not (tmp_path / "rel" / "v1.0.0").exists()


def test_verify_reports_a_bad_task_category(plain, tmp_path):
    import shutil

    copy = tmp_path / "rel"
    shutil.copytree(plain[0].parent, copy)
    card = copy / "v1.0.0" / "README.md"
    text = card.read_text(encoding="utf-8").replace(
        "- token-classification", "- entity-spotting", 1
    )
    card.write_text(text, encoding="utf-8")
    code, out, _ = run_akhbar("release", "verify", copy / "v1.0.0")
    assert code == 1
    assert any(
        "field `task_categories`" in line and "entity-spotting" in line for line in out.splitlines()
    )


def test_guidelines_are_the_label_studio_instructions_and_recorded(plain):
    release, _ = plain
    text = (release / "GUIDELINES.md").read_text(encoding="utf-8")
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["guidelines"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    tax = load(None)
    html = instructions_html(tax)
    for step in STEPS:  # the very text annotators read in Label Studio
        assert step in text and step in html
    for label in tax.entities:
        assert f"**{label.name}**" in text and label.definition in text


def test_card_info_is_recorded_and_written_into_the_card(tmp_path):
    info = tmp_path / "card-info.yaml"
    info.write_text(yaml.safe_dump(CARD_INFO, allow_unicode=True), encoding="utf-8")
    code, out, err = build(tmp_path, "--card-info", info)
    assert code == 0, err
    assert "warning" not in out
    release = tmp_path / "rel" / "v1.0.0"
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["card_info"]["sha256"] == hashlib.sha256(info.read_bytes()).hexdigest()
    assert manifest["card_info"]["data"] == CARD_INFO
    assert manifest["license"] == "cc-by-4.0"
    card = (release / "README.md").read_text(encoding="utf-8")
    meta = card_metadata(release / "README.md")
    assert meta["license"] == "cc-by-4.0" and meta["language_details"] == ["arb-Arab"]
    assert CARD_INFO["citation"] in card
    assert "akhbar contributors" not in card
    assert "## Data statement" in card and "data@example.org" in card
    assert "Two trained annotators." in card
    croissant = json.loads((release / "croissant.json").read_text())
    assert croissant["citeAs"] == CARD_INFO["citation"]
    assert croissant["creator"]["name"] == "Example team"
    code, out, _ = run_akhbar("release", "verify", release)
    assert code == 0, out


def test_a_bad_card_info_file_is_one_line_naming_the_field(tmp_path):
    info = tmp_path / "card-info.yaml"
    info.write_text("citation: x\nlicence: mit\n", encoding="utf-8")
    code, _, err = build(tmp_path, "--card-info", info)
    assert code == 2
    line = err.strip()
    assert "\n" not in line and "card-info.yaml" in line and "'licence'" in line
    info.write_text("source_dataset: {url: x}\n", encoding="utf-8")
    code, _, err = build(tmp_path, "--card-info", info)
    assert code == 2 and "source_dataset" in err and "'name' is a required property" in err


def test_card_info_licence_and_license_option_must_agree(tmp_path):
    info = tmp_path / "card-info.yaml"
    info.write_text("license: mit\n", encoding="utf-8")
    code, _, err = build(tmp_path, "--card-info", info, "--license", "cc-by-4.0")
    assert code == 2 and "--license cc-by-4.0 but the card-info file" in err


WOJOOD_INFO = {
    "version": 1,
    "license": "mit",
    "citation": "@misc{akhbar_wojood_sample,\n  title = {Wojood sample, as released by akhbar},\n"
    "  year = {2026}\n}",
    "attribution": "Texts and annotations from Wojood (SinaLab, Birzeit University).",
    "source_dataset": {
        "name": "Wojood",
        "url": "https://github.com/SinaLab/ArabicNER",
        "authors": "Mustafa Jarrar, Mohammed Khalilia, Sana Ghanem",
        "citation": "@inproceedings{jarrar-etal-2022-wojood,\n  title = {Wojood: Nested Arabic "
        "Named Entity Corpus and Recognition using BERT},\n  year = {2022}\n}",
        "license": "MIT",
        "license_notice": "Copyright (c) SinaLab; the MIT notice is kept with the data.",
    },
}


@pytest.mark.shared_data
def test_wojood_sample_card_names_wojood_and_claims_no_scraping(tmp_path):
    src = SHARED_DATA / "wojood" / "test.txt"
    if not src.is_file():
        pytest.skip("shared data absent")
    info = tmp_path / "card-info.yaml"
    info.write_text(yaml.safe_dump(WOJOOD_INFO, allow_unicode=True), encoding="utf-8")

    def ok(*argv):
        code, out, err = run_akhbar(*argv)
        assert code == 0, err
        return out

    ok("annotate", "import-conll", src, "--taxonomy", WOJOOD, "--out", tmp_path / "imp")
    ok("annotate", "validate", tmp_path / "imp" / "documents.jsonl", "--corpus",
       tmp_path / "imp" / "corpus", "--taxonomy", WOJOOD, "--out", tmp_path / "val")  # fmt: skip
    ok("release", "build", "--version", "1.0.0", "--corpus", tmp_path / "imp" / "corpus",
       "--documents", tmp_path / "val", "--out", tmp_path / "rel", "--taxonomy", WOJOOD,
       "--card-info", info)  # fmt: skip
    release = tmp_path / "rel" / "v1.0.0"
    card = (release / "README.md").read_text(encoding="utf-8")
    meta = card_metadata(release / "README.md")
    assert meta["license"] == "mit"
    assert meta["source_datasets"] == ["extended"]
    assert meta["annotations_creators"] == ["found"]
    assert "Wojood" in card and WOJOOD_INFO["source_dataset"]["citation"] in card
    assert "MIT" in card and "the MIT notice is kept with the data" in card
    # the prose (the field tables describe columns, e.g. when an article was retrieved)
    prose = "\n".join(
        line for line in card.split("\n---\n", 1)[1].splitlines() if not line.startswith("|")
    ).lower()
    assert "scraped" not in prose and "corpus build" not in prose
    assert "annotated in label studio" not in prose and "label studio:" not in prose
    assert "with the annotations they were imported with" in prose
    assert check_card_metadata(meta) == []
    ok("release", "verify", release)
