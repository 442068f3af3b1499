"""A project's labelling config edited on the server is kept by `annotate push` (which says what
differs) unless `--update-config` is given; Label Studio still refuses a config that would
orphan annotations."""

from __future__ import annotations

import pytest

from akhbar.annotation.labelstudio import labelconfig, labelconfig_diff
from akhbar.schemas import taxonomy
from tests.helpers import run_akhbar, sample_articles

OURS = labelconfig.label_config(taxonomy.load())


def _edited(config: str) -> str:
    """A team's edit: a colour changed and a label added for a pilot."""
    edited = config.replace('value="PER" html', 'value="PER" html', 1).replace(
        'background="#e6194b"', 'background="#000000"', 1
    )
    pilot = '<Label value="PILOT" background="#123456"/>\n    </Labels>'
    return edited.replace("</Labels>", pilot, 1)


def test_describe_names_added_removed_and_edited_labels():
    said = labelconfig_diff.describe(_edited(OURS), OURS)
    assert said == ["entity: labels only on the server: PILOT", "entity: background of PER edited"]
    fewer = OURS.replace('<Relation value="Victim"', '<Relation value="Other"', 1)
    assert "Victim" in " ".join(labelconfig_diff.describe(fewer, OURS))
    assert labelconfig_diff.describe(OURS + "\n", OURS) == []
    assert labelconfig_diff.describe(OURS.replace("font-size: 18px", "font-size: 30px"), OURS) == [
        "layout or style edited"
    ]
    assert labelconfig_diff.describe("<View><oops", OURS) == [
        "the server's config is not XML akhbar can read"
    ]


@pytest.mark.labelstudio
def test_a_config_edited_on_the_server_is_kept_unless_update_config(
    labelstudio, ls_project, write_corpus
):
    rows = sample_articles(4, prefix="cfg")
    args = ["annotate", "push", "--project", ls_project, "--no-progress", *labelstudio.cli_args()]
    code, out, err = run_akhbar(*args[:2], write_corpus(rows[:2], "a"), *args[2:])
    assert code == 0, err
    with labelstudio.client() as c:
        project = c.find_project(ls_project)
        edited = _edited(project["label_config"])
        c.update_project(project["id"], label_config=edited)

    code, out, err = run_akhbar(*args[:2], write_corpus(rows[:3], "b"), *args[2:])
    assert code == 0, err
    assert "config updated" not in out
    assert (
        "labelling config: the project's differs from the taxonomy's (entity: labels only on "
        "the server: PILOT; entity: background of PER edited): kept as it is on the server; "
        "--update-config replaces it"
    ) in out
    assert "articles 3: 1 imported, 2 already there" in out  # the push itself went on
    with labelstudio.client() as c:
        assert c.find_project(ls_project)["label_config"] == edited

    code, out, err = run_akhbar(*args[:2], write_corpus(rows, "c"), *args[2:], "--update-config")
    assert code == 0, err
    assert ", found, config updated)" in out and "labelling config:" not in out
    with labelstudio.client() as c:
        assert c.find_project(ls_project)["label_config"] == OURS
