"""Hypothesis fuzzing of the readers: random bytes, truncations, byte flips and encodings.

Whatever the bytes, reading never raises, every item is a record or a rejection with a reason,
and a whole build accounts for every input: ``input == kept + rejected + duplicates``.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akhbar.corpus.cleaning import clean
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.corpus.readers import read_file
from akhbar.corpus.records import RawRecord, Rejection

WORDS = [
    "قال",
    "المتحدث",
    "إن",
    "الاجتماع",
    "ناقش",
    "التعاون",
    "الاقتصادي",
    "بين",
    "البلدين",
    "في",
    "العاصمة",
    "أمس",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"]
ENCODINGS += ["cp1256", "latin-1"]
SUFFIXES = [".txt", ".json", ".jsonl", ".html", ".zip"]

arabic_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)


def _document(suffix: str, title: str, body: str) -> str:
    record = {"title": title, "content": body}
    if suffix == ".json":
        return json.dumps([record, record], ensure_ascii=False)
    if suffix == ".jsonl":
        return "\n".join(json.dumps(record, ensure_ascii=False) for _ in range(3))
    if suffix == ".html":
        return f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>"
    return f"{title}\n\n{body}\n"


@st.composite
def input_files(draw) -> tuple[str, bytes]:
    """A file name and its bytes: an article in some encoding, then damaged, or pure noise."""
    suffix = draw(st.sampled_from(SUFFIXES))
    if draw(st.integers(0, 5)) == 0:
        return suffix, draw(st.binary(max_size=600))
    inner = ".json" if suffix == ".zip" else suffix
    text = _document(inner, draw(arabic_text), draw(arabic_text))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = bytearray(text.encode(encoding, errors="replace"))
    for _ in range(draw(st.integers(0, 3))):  # flip a few bytes
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):  # truncate
        data = data[: draw(st.integers(0, len(data)))]
    if suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("day.json", bytes(data))
        data = bytearray(buffer.getvalue())
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return suffix, bytes(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=input_files())
def test_reading_any_bytes_never_raises_and_accounts_for_every_record(tmp_path, file):
    suffix, data = file
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    config = CorpusConfig()
    items = list(read_file(path, path.name, config))
    assert items, "every file yields at least one record or rejection"
    for item in items:
        assert isinstance(item, RawRecord | Rejection)
        if isinstance(item, Rejection):
            assert item.reason and item.detail and "\n" not in item.detail
        else:
            cleaned = clean(item, config)  # cleaning takes whatever a reader produced
            assert cleaned.provenance.input_file == path.name


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(input_files(), min_size=1, max_size=6))
def test_a_build_of_fuzzed_inputs_adds_up(tmp_path_factory, files):
    src: Path = tmp_path_factory.mktemp("src")
    for i, (suffix, data) in enumerate(files):
        (src / f"f{i}{suffix}").write_bytes(data)
    report = build_corpus(
        CorpusBuildOptions([src], tmp_path_factory.mktemp("out") / "store", workers=1)
    )
    assert report["input"] == report["kept"] + report["rejected"] + report["duplicates"]
    assert report["input"] >= len(files)
