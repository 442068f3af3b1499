"""Hypothesis: broken exports always give a report (exit 0/1) or one line (exit 2), never a
traceback, and the counts of a report always add up.

The exports start from the fixtures and are broken at random: keys removed, values replaced
by values of other types, offsets out of range or fractional, relations pointed at nothing,
characters outside the BMP put into the text, the JSON cut short or replaced by bytes.
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import tempfile
from pathlib import Path

import jsonschema
import jsonschema_rs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.annotation.labelstudio.result_checks import Rules, export_schema, schema_issues
from akhbar.annotation.validate.tasks import TaskChecker
from akhbar.schemas import taxonomy
from tests.helpers import TEST_DATA
from tests.helpers import run_akhbar as run

DATA = TEST_DATA / "labelstudio"
EXPORTS = [
    json.loads(p.read_text(encoding="utf-8"))
    for p in sorted([DATA / "clean.json", *(DATA / "checks").glob("AK*.json")])
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.text(alphabet=st.characters(min_codepoint=0x10000, max_codepoint=0x1FAFF), max_size=4),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def all_paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from all_paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from all_paths(v, (*prefix, i))


def parent_of(doc, path):
    for p in path[:-1]:
        doc = doc[p]
    return doc


@st.composite
def mutated_exports(draw) -> list:
    """A fixture export with one to three random breakages, as Python objects."""
    export = copy.deepcopy(draw(st.sampled_from(EXPORTS)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["delete", "replace", "offset", "endpoint", "astral", "duplicate"])
        )
        paths = [p for p in all_paths(export) if p]
        if kind == "delete" and paths:
            path = draw(st.sampled_from(paths))
            del parent_of(export, path)[path[-1]]
        elif kind == "replace" and paths:
            path = draw(st.sampled_from(paths))
            parent_of(export, path)[path[-1]] = draw(json_values)
        elif kind == "offset":
            values = [p for p in paths if p[-1] in ("start", "end")]
            if values:
                path = draw(st.sampled_from(values))
                parent_of(export, path)[path[-1]] = draw(
                    st.one_of(
                        st.integers(-5, 400),
                        st.integers(min_value=2**31, max_value=2**80),
                        st.floats(-10, 400, allow_nan=False),
                        st.sampled_from(["7", None, True, [3]]),
                    )
                )
        elif kind == "endpoint":
            ends = [p for p in paths if p[-1] in ("from_id", "to_id", "id")]
            if ends:
                path = draw(st.sampled_from(ends))
                parent_of(export, path)[path[-1]] = draw(st.text(max_size=6))
        elif kind == "astral":
            texts = [p for p in paths if p[-1] == "text" and isinstance(_get(export, p), str)]
            if texts:
                path = draw(st.sampled_from(texts))
                s = _get(export, path)
                at = draw(st.integers(0, len(s)))
                emoji = draw(st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=3))  # fmt: skip
                parent_of(export, path)[path[-1]] = s[:at] + emoji + s[at:]
        elif kind == "duplicate" and isinstance(export, list) and export:
            export.append(copy.deepcopy(draw(st.sampled_from(export))))
    return export


@st.composite
def broken_exports(draw) -> bytes:
    """A mutated export as bytes, sometimes cut short or replaced by random bytes."""
    export = draw(mutated_exports())
    raw = json.dumps(
        export, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
    )
    data = raw.encode("utf-8")
    how = draw(st.sampled_from(["whole", "whole", "whole", "truncated", "bytes"]))
    if how == "truncated":
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if how == "bytes":
        return draw(st.binary(max_size=64))
    return data


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    rows = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    pq.write_table(pa.Table.from_pylist(rows), d / "articles.parquet")
    return d


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=broken_exports(), as_json=st.booleans())
def test_broken_exports_never_crash(corpus, data, as_json):
    work = Path(tempfile.mkdtemp(prefix="akhbar-fuzz-"))
    try:
        snap = work / "export.json"
        snap.write_bytes(data)
        out = work / "out"
        args = ["annotate", "validate", str(snap), "--corpus", str(corpus), "--out", str(out)]
        code, stdout, stderr = run(*args, *(["--json"] if as_json else []))
        assert "Traceback" not in stdout + stderr
        assert code in (0, 1, 2), (code, stderr)
        if code == 2:
            assert stdout == ""
            (line,) = stderr.splitlines()
            assert line.startswith("akhbar: error: ") and str(snap) in line
            assert not out.exists()
            return
        summary = json.loads((out / "validation.json").read_text(encoding="utf-8"))
        c = summary["counts"]
        t, a, v = c["tasks"], c["annotations"], c["valid_annotations"]
        assert (
            t["total"] == t["documented"] + t["quarantined"] + t["all_cancelled"] + t["unannotated"]
        )
        assert a["total"] == a["valid"] + a["quarantined"] + a["cancelled"]
        assert v["selected"] == c["documents"] == t["documented"]
        export = json.loads(data)
        assert t["total"] == len(export)
        # JSON Lines end at b"\n" only (str.splitlines would also split at U+0085, U+2028)
        docs = (out / "documents.jsonl").read_bytes().splitlines()
        quarantine = (out / "quarantine.jsonl").read_bytes().splitlines()
        assert len(docs) == c["documents"] and len(quarantine) == c["quarantine_records"]
        assert (code == 1) == bool(quarantine)
        if code == 1:
            assert len(stderr.splitlines()) == 1
        if as_json:
            assert json.loads(stdout)["exit_code"] == code
    finally:
        shutil.rmtree(work, ignore_errors=True)


@settings(max_examples=300, deadline=None)
@given(export=mutated_exports())
def test_compiled_and_python_validators_agree_on_broken_tasks(export):
    """The compiled validator decides, jsonschema explains: they must never disagree."""
    fast, slow = _validators()
    for task in export if isinstance(export, list) else [export]:
        assert fast.is_valid(task) == slow.is_valid(task), task


@functools.cache
def _validators():
    schema = export_schema()
    return jsonschema_rs.validator_for(schema), jsonschema.Draft202012Validator(schema)


@settings(max_examples=300, deadline=None)
@given(export=mutated_exports())
def test_explanation_by_result_equals_the_whole_walk(export):
    """Explaining a rejected task result by result gives exactly jsonschema's full walk."""
    checker = _checker()
    full = checker.detail
    for task in export if isinstance(export, list) else [export]:
        if checker.fast.is_valid(task):
            continue
        whole = sorted(full.iter_errors(task), key=lambda e: list(map(str, e.path)))
        expected = [i for e in whole for i in schema_issues(e)]
        assert checker.schema_issues(task) == expected


@functools.cache
def _checker():
    return TaskChecker(Rules(taxonomy.load(None)), {}, lambda aid: None)
