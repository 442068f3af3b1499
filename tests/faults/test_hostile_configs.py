"""Hardening, second round (issue 19), numbers and configuration: ``--ratios`` that are not
finite, corpus configs and taxonomies checked against their JSON Schemas before anything runs
(one line naming the file, the key and what is allowed; exit 2 in every command), and two
labels on one hotkey."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from akhbar import schemas
from akhbar.corpus.cleaning.filters import SCRIPTS
from akhbar.corpus.release.splits import parse_ratios
from akhbar.schemas.errors import UsageError
from tests.helpers import REPO, run_akhbar
from tests.helpers.releases import write_inputs

SAMPLE = REPO / "corpus" / "sample" / "raw"
TAXONOMY = REPO / "schemas" / "taxonomies" / "ace_ar_conflict.yaml"
BINARY = bytes(range(256)) * 4  # not UTF-8, not YAML


def one_line(code: int, err: str, *needles: str) -> str:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# --- case 7: --ratios ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ratios", ["nan,0.5,0.5", "0.5,nan,0.5", "0.5,0.5,nan", "inf,-inf,1", "1,0,-0", "-0.1,0.6,0.5"]
)
def test_case7_ratios_that_are_not_finite_or_negative_are_refused(ratios):
    if ratios == "1,0,-0":  # -0 is zero: a zero share stays allowed
        assert parse_ratios(ratios) == (1.0, 0.0, 0.0)
        return
    with pytest.raises(UsageError, match="--ratios"):
        parse_ratios(ratios)


def test_case7_a_release_with_nan_ratios_is_refused_and_nothing_is_written(tmp_path):
    corpus, documents = write_inputs(tmp_path / "in")
    code, _, err = run_akhbar(
        "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents", documents,
        "--out", tmp_path / "releases", "--ratios", "0.5,nan,0.5", "--workers", "1",
    )  # fmt: skip
    one_line(code, err, "--ratios", "0.5,nan,0.5")
    assert not (tmp_path / "releases" / "v1.0.0").exists()


# --- case 8: corpus configs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "needles"),
    [
        ("filters: {script: klingon}", ["filters.script", "'arabic'", "'klingon'"]),
        ("dedup: {threshold: 7}", ["dedup.threshold", "at most 1", "got 7"]),
        ("dedup: {num_perm: 0}", ["dedup.num_perm", "from 2 to 4096", "got 0"]),
        ("sources: [1, 2]", ["sources", "mapping of source names", "[1, 2]"]),
        ("sources: {wire: {drop_line_patterns: ['((']}}", ["drop_line_patterns.0", "regular"]),
        ("filters: {min_script_ratio: 2}", ["filters.min_script_ratio", "from 0 to 1"]),
        ("limits: {max_json_depth: 0}", ["limits.max_json_depth", "positive whole number"]),
        ("workers: -3", ["workers", "0 (one per core) or more"]),
        ("- a list", ["expected a mapping at the top level"]),
    ],
)
def test_case8_a_config_outside_its_schema_is_one_line_exit_2_before_anything_runs(
    tmp_path, config, needles
):
    (tmp_path / "c.yaml").write_text(config + "\n", encoding="utf-8")
    code, out, err = run_akhbar(
        "corpus", "build", SAMPLE, "--out", tmp_path / "out", "--config", tmp_path / "c.yaml"
    )
    one_line(code, err, "c.yaml", *needles)
    assert not out and sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]


def test_case8_a_binary_config_file_is_one_line_exit_2(tmp_path):
    (tmp_path / "c.yaml").write_bytes(BINARY)
    code, _, err = run_akhbar(
        "corpus", "build", SAMPLE, "--out", tmp_path / "out", "--config", tmp_path / "c.yaml"
    )
    one_line(code, err, "c.yaml", "not a config file")


def test_case8_the_bundled_config_passes_and_the_schema_names_every_script():
    config = schemas.load("corpus_config")
    assert config["properties"]["filters"]["properties"]["script"]["enum"] == sorted(
        [*SCRIPTS, "any"]
    )
    from akhbar.corpus.config import load_config

    assert load_config(REPO / "corpus" / "configs" / "saudinewsnet.yaml").filters.script == "arabic"


# --- case 9: a taxonomy file that is binary, in every command that reads one -----------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store") / "corpus"
    code, _, err = run_akhbar("corpus", "build", SAMPLE, "--out", out, "--workers", "1")
    assert code == 0, err
    return out


def _commands(tmp: Path, store: Path, taxonomy: Path) -> dict[str, list]:
    export = REPO / "corpus" / "sample" / "labelstudio_export.json"
    corpus, documents = write_inputs(tmp / "release-in")
    conll = tmp / "a.conll"
    conll.write_text("بغداد B-GPE\n\n", encoding="utf-8")
    return {
        "config": ["annotate", "config", "--taxonomy", taxonomy],
        "validate": [
            "annotate", "validate", export, "--corpus", store, "--out", tmp / "v",
            "--taxonomy", taxonomy,
        ],
        "agreement": [
            "annotate", "agreement", export, "--corpus", store, "--out", tmp / "a",
            "--taxonomy", taxonomy,
        ],
        "import-conll": [
            "annotate", "import-conll", conll, "--out", tmp / "c", "--taxonomy", taxonomy,
        ],
        "release build": [
            "release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
            documents, "--out", tmp / "r", "--taxonomy", taxonomy, "--workers", "1",
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    "command", ["config", "validate", "agreement", "import-conll", "release build"]
)
def test_case9_a_binary_taxonomy_is_one_line_exit_2_in_every_command(tmp_path, store, command):
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_bytes(BINARY)
    code, _, err = run_akhbar(*_commands(tmp_path, store, taxonomy)[command])
    one_line(code, err, "taxonomy.yaml", "not a taxonomy", "--taxonomy")


# --- case 14: two labels on one hotkey -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "index", "key"), [("entities", 1, "1"), ("events", 0, "1"), ("events", 2, "Q")]
)
def test_case14_two_labels_on_one_hotkey_are_refused(tmp_path, kind, index, key):
    data = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
    data[kind][index]["hotkey"] = key  # entities[0] is "1", events[0] is "q"
    path = tmp_path / "keys.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _, err = run_akhbar("annotate", "config", "--taxonomy", path)
    line = one_line(code, err, "keys.yaml", f"hotkey {key!r}", "its own key")
    assert data[kind][index]["name"] in line


def test_case14_the_bundled_taxonomies_have_one_label_per_key():
    for path in sorted((REPO / "schemas" / "taxonomies").glob("*.yaml")):
        code, _, err = run_akhbar("annotate", "config", "--taxonomy", path)
        assert code == 0, (path, err)
