"""The bundled taxonomy loads, and broken taxonomies are refused with a one-line reason."""

import copy

import pytest
import yaml

from akhbar.annotation import taxonomy
from akhbar.corpus.errors import UsageError


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
    for label in (*t.entities, *(e.label for e in t.events)):
        assert label.ar and label.en and label.hotkey and label.definition and label.example


def test_hash_ignores_formatting():
    data = _default_data()
    assert taxonomy.parse(data).sha256 == taxonomy.load().sha256


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
