"""The bundled taxonomy loads, and broken taxonomies are refused with a one-line reason."""

import copy
import json

import pytest
import yaml

from akhbar.schemas import taxonomy
from akhbar.schemas.errors import UsageError


def _default_data():
    return yaml.safe_load(taxonomy.DEFAULT_TAXONOMY.read_text(encoding="utf-8"))


def test_default_taxonomy_has_the_ace_inspired_labels():
    t = taxonomy.load()
    assert t.entity_names == ["PER", "ORG", "GPE", "LOC", "FAC", "WEA", "VEH", "TIME"]
    assert {"Attack", "Die", "Injure", "Arrest", "Transport", "Meet", "Demonstrate"} <= set(
        t.event_names
    )
    attack = t.event("Attack")
    assert list(attack.roles) == ["Attacker", "Target", "Instrument", "Place", "Time"]
    assert t.event("Injure").roles == t.event("Die").roles
    for label in (*t.entities, *t.events):
        assert label.ar and label.en and label.hotkey and label.definition and label.example


def test_hash_ignores_formatting(tmp_path):
    data = _default_data()
    original = taxonomy.DEFAULT_TAXONOMY.read_text(encoding="utf-8")
    # The same content written three other ways: flow-style YAML with keys in reverse order,
    # indented JSON, and the block YAML with comments and blank lines around it.
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        yaml.safe_dump(dict(reversed(list(data.items()))), default_flow_style=True,
                       allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )  # fmt: skip
    as_json = tmp_path / "taxonomy.json"
    as_json.write_text(json.dumps(data, indent=4, ensure_ascii=True), encoding="utf-8")
    commented = tmp_path / "commented.yaml"
    commented.write_text(f"# a comment\n\n{original}\n\n# the end\n", encoding="utf-8")
    texts = {p.read_text(encoding="utf-8") for p in (flow, as_json, commented)} | {original}
    assert len(texts) == 4, "the four files must differ as text"
    want = taxonomy.load().sha256
    assert [taxonomy.load(p).sha256 for p in (flow, as_json, commented)] == [want] * 3
    changed = copy.deepcopy(data)
    changed["entities"][0]["display"]["en"] += "!"
    assert taxonomy.parse(changed).sha256 != want  # content, unlike layout, changes the hash


def test_unknown_role_is_refused():
    data = copy.deepcopy(_default_data())
    data["events"][0]["roles"].append({"role": "Bystander", "entity_types": ["PER"]})
    with pytest.raises(UsageError, match="Bystander"):
        taxonomy.parse(data)


def test_unknown_entity_type_in_role_is_refused():
    data = copy.deepcopy(_default_data())
    data["events"][0]["roles"][0]["entity_types"].append("ALIEN")
    with pytest.raises(UsageError, match="ALIEN"):
        taxonomy.parse(data)


def test_schema_violation_names_the_place(tmp_path):
    data = copy.deepcopy(_default_data())
    data["entities"][0]["color"] = "red"
    p = tmp_path / "t.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UsageError, match=r"/entities/0/color"):
        taxonomy.load(p)


# --- --taxonomy NAME: a bundled taxonomy found wherever akhbar is installed ------------------


def test_a_bundled_taxonomy_is_found_by_name(tmp_path, monkeypatch):
    from akhbar.schemas.taxonomy import TAXONOMY_DIR, bundled_names, resolve

    monkeypatch.chdir(tmp_path)  # no checkout here: names and the README's paths still work
    assert resolve("wojood") == TAXONOMY_DIR / "wojood.yaml"
    assert resolve("ace-ar-conflict") == TAXONOMY_DIR / "ace_ar_conflict.yaml"
    assert resolve("schemas/taxonomies/wojood.yaml") == TAXONOMY_DIR / "wojood.yaml"
    assert taxonomy.load("wojood").name == "wojood"
    assert {"wojood", "ace-ar-conflict"} <= set(bundled_names())
    own = tmp_path / "mine.yaml"
    own.write_text("x", encoding="utf-8")
    assert resolve(own) == own  # a path that exists is that file
    with pytest.raises(
        UsageError,
        match=r"--taxonomy wojod: no bundled taxonomy of that name \(bundled: ace-ar-conflict, wojood\)",
    ):
        resolve("wojod")
