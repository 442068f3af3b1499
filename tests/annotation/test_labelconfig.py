"""The labeling config and instructions generated from a taxonomy (no server needed here;
tests/labelstudio/test_server.py has the real server validate and render them)."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

import yaml

from akhbar.annotation.labelstudio import labelconfig, server_venv
from akhbar.schemas import taxonomy
from tests.helpers import REPO, run_akhbar


def _parsed(tax):
    return ET.fromstring(labelconfig.label_config(tax))


def test_config_has_text_entity_trigger_and_role_relations():
    tax = taxonomy.load()
    root = _parsed(tax)
    texts = root.findall(".//Text")
    assert [(t.get("name"), t.get("value")) for t in texts] == [("text", "$text")]
    labels = {c.get("name"): c for c in root.iter("Labels")}
    assert set(labels) == {"entity", "trigger"}
    assert all(c.get("toName") == "text" for c in labels.values())
    assert [lab.get("value") for lab in labels["entity"]] == tax.entity_names
    assert [lab.get("value") for lab in labels["trigger"]] == tax.event_names
    assert [r.get("value") for r in root.iter("Relation")] == tax.role_names


def test_labels_keep_the_taxonomy_name_as_value_and_show_both_languages():
    tax = taxonomy.load()
    per = next(lab for lab in _parsed(tax).iter("Label") if lab.get("value") == "PER")
    # An alias would replace the value in exported results, so there must be none.
    assert per.get("alias") is None
    assert per.get("background") == "#e6194b" and per.get("hotkey") == "1"
    assert "شخص" in per.get("html") and "Person" in per.get("html")
    assert "قال [المتحدث باسم الجيش]" in per.get("hint")


def test_text_is_shown_right_to_left_by_a_scoped_style():
    root = _parsed(taxonomy.load())
    style = root.find("Style").text
    assert re.search(r"\.akhbar-rtl \.lsf-richtext__container \{[^}]*direction: rtl", style)
    rtl_view = root.find("View[@className='akhbar-rtl']")
    assert rtl_view is not None and rtl_view.find("Text") is not None


def test_names_and_displays_are_escaped():
    data = yaml.safe_load(taxonomy.DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["entities"][0]["display"] = {"ar": 'شخص "<مسلح>" & غيره', "en": "Person <b>&'"}
    data["entities"][0]["guideline"]["example"] = 'قال <رجل> & "امرأة"'
    tax = taxonomy.parse(data)
    per = next(lab for lab in _parsed(tax).iter("Label") if lab.get("value") == "PER")
    # The html attribute holds HTML: the display text arrives HTML-escaped, once.
    assert per.get("html") == (
        "شخص &quot;&lt;مسلح&gt;&quot; &amp; غيره · Person &lt;b&gt;&amp;&#x27; (PER)"
    )
    assert per.get("hint").endswith('قال <رجل> & "امرأة"')


def test_taxonomy_without_events_has_no_trigger_or_relations():
    tax = taxonomy.load(taxonomy.TAXONOMY_DIR / "wojood.yaml")
    root = _parsed(tax)
    assert [c.get("name") for c in root.iter("Labels")] == ["entity"]
    assert root.find(".//Relations") is None
    assert len(list(root.iter("Label"))) == len(tax.entity_names) == 21


def test_config_is_deterministic_and_hashable():
    a, b = labelconfig.label_config(taxonomy.load()), labelconfig.label_config(taxonomy.load())
    assert a == b and labelconfig.config_sha256(a) == labelconfig.config_sha256(b)


def test_instructions_list_every_label_role_and_the_annotator_steps():
    tax = taxonomy.load()
    html = labelconfig.instructions_html(tax)
    for name in (*tax.entity_names, *tax.event_names, *tax.role_names):
        assert f">{name}<" in html or f"{name} (" in html, name
    assert "قصفت" in html  # an Arabic example
    assert "Create relation" in html and "trigger" in html
    assert "<tbody>" in html  # the server's sanitiser adds it otherwise, and we compare


def test_config_command_prints_the_config_and_the_instructions():
    code, out, err = run_akhbar("annotate", "config")
    assert code == 0, err
    assert out == labelconfig.label_config(taxonomy.load()) + "\n"
    code, out, _ = run_akhbar("annotate", "config", "--instructions")
    assert code == 0 and out.startswith("<h2>ace-ar-conflict 1.0.0</h2>")


def test_makefile_pins_the_same_label_studio_version():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    pin = re.search(r"^LS_VERSION := (\S+)$", makefile, re.M).group(1)
    assert pin == server_venv.LABEL_STUDIO_VERSION
