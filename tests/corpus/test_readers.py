"""Readers: every input shape and encoding, and garbage that must come out as a Rejection with
a reason (or a one-line usage error), never a traceback."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

from akhbar.corpus.cleaning import clean
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers import list_inputs, read_file, read_inputs
from akhbar.corpus.readers.encoding import DecodeError, decode
from akhbar.corpus.records import RawRecord, Rejection
from akhbar.schemas.errors import UsageError
from tests.helpers import REPO

ROOT = REPO
SAMPLE = ROOT / "corpus" / "sample" / "raw"
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet"
AKHBAR = Path(sys.executable).parent / "akhbar"

TITLE = "اعتقال ثلاثة مشتبه بهم في سرقة مصرف بمدينة الميناء"
BODY = (
    "أعلنت الشرطة مساء الأحد اعتقال ثلاثة أشخاص يشتبه في تورطهم بسرقة فرع مصرف الادخار في "
    "مدينة الميناء، بعد مطاردة قصيرة على الطريق الساحلي.\n\n"
    "وقال المتحدث باسم الشرطة إن المشتبه بهم استخدموا سيارة مسروقة وأسلحة نارية، وإن أحد "
    "الحراس أصيب بجروح طفيفة خلال السطو."
)
SNN_RECORD = {
    "source": "alwadi",
    "url": "https://alwadi.example/news/1",
    "date_extracted": "2015-07-21 02:51:32",
    "title": TITLE,
    "author": "الميناء: فهد",
    "content": BODY,
}


def read(*paths, config: CorpusConfig | None = None) -> list[RawRecord | Rejection]:
    return list(read_inputs(list(paths), config or CorpusConfig()))


def only(items: list) -> RawRecord | Rejection:
    assert len(items) == 1, items
    return items[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- encodings -------------------------------------------------------------------------------

TEXT = f"{TITLE}\n\n{BODY}\n"


@pytest.mark.parametrize(
    ("encoding", "newline", "detected"),
    [
        ("utf-8", "\n", "utf-8"),
        ("utf-8-sig", "\n", "utf-8-sig"),
        ("utf-16", "\r\n", "utf-16"),  # with a BOM, little-endian here
        ("utf-16-be", "\n", "utf-16"),  # BOM written by hand below
        ("utf-32", "\n", "utf-32"),
        ("cp1256", "\r\n", "cp1256"),
        ("cp1256", "\r", "cp1256"),
    ],
)
def test_txt_in_every_encoding_and_line_end(tmp_path, encoding, newline, detected):
    data = TEXT.replace("\n", newline).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    item = only(read(write(tmp_path / "a.txt", data)))
    assert isinstance(item, RawRecord)
    assert item.title == TITLE
    assert item.text.strip() == BODY
    assert "\r" not in item.text
    assert item.provenance.encoding == detected
    assert item.provenance.reader == "txt_v1" and item.provenance.record == "0"


def test_decode_refuses_what_is_not_arabic_text():
    with pytest.raises(DecodeError, match="UTF-8"):
        decode("Grüße aus Köln, schöne Straße".encode("latin-1"))
    with pytest.raises(DecodeError, match="binary"):
        decode(b"\x00\x01\x02\x03" * 64)
    with pytest.raises(DecodeError, match="BOM"):
        decode(b"\xff\xfe" + b"\x00\xd8")  # a UTF-16 BOM, then half a surrogate pair
    rng = random.Random(7)
    with pytest.raises(DecodeError):
        decode(bytes(rng.randrange(256) for _ in range(4096)))


def test_decode_keeps_a_stray_nul_for_the_cleaning_rules():
    decoded = decode("نص عربي\x00 طويل بما يكفي ليبدو نصا حقيقيا لا ملفا ثنائيا".encode())
    assert "\x00" in decoded.text and decoded.encoding == "utf-8"


# --- the seed-shaped .txt ---------------------------------------------------------------------


def test_txt_title_is_the_first_non_blank_line(tmp_path):
    path = write(tmp_path / "s.txt", f"\n\n  {TITLE}  \n\n{TITLE}\n\n[ad_1]\n\n{BODY}\n\nالمصدر")
    item = only(read(path))
    assert item.title == TITLE
    assert item.text.startswith(f"\n{TITLE}\n\n[ad_1]")  # cleaning, not reading, removes noise
    assert item.source is None and item.url is None


def test_txt_with_only_a_title_has_an_empty_body(tmp_path):
    item = only(read(write(tmp_path / "t.txt", TITLE)))
    assert isinstance(item, RawRecord) and item.text == ""


# --- JSON, JSON Lines -------------------------------------------------------------------------


def test_json_array_in_saudinewsnet_shape(tmp_path):
    other = {**SNN_RECORD, "url": "https://alwadi.example/news/2", "extra": {"likes": 3}}
    path = write(tmp_path / "day.json", json.dumps([SNN_RECORD, other], ensure_ascii=False))
    first, second = read(path)
    assert isinstance(first, RawRecord)
    assert (first.title, first.text, first.source, first.url) == (
        TITLE,
        BODY,
        "alwadi",
        "https://alwadi.example/news/1",
    )
    assert first.retrieved == "2015-07-21T02:51:32" and first.published is None
    assert first.author == "الميناء: فهد"
    assert first.metadata == {}
    assert second.metadata == {"extra": {"likes": 3}}  # unmapped keys are kept, not lost
    assert [first.provenance.record, second.provenance.record] == ["0", "1"]
    assert first.provenance.reader == "json_v1" and first.provenance.encoding == "utf-8"
    assert first.provenance.input_file == path.as_posix()


def test_field_mapping_comes_from_config(tmp_path):
    obj = {
        "headline": TITLE,
        "body": BODY,
        "site": "x",
        "date_published": "2023-05-02",
        "when": "soon",
    }
    config = CorpusConfig(
        fields={"title": "headline", "text": "body", "source": "site", "retrieved": "when"}
    )
    item = only(read(write(tmp_path / "a.json", json.dumps(obj)), config=config))
    assert (item.title, item.text, item.source) == (TITLE, BODY, "x")
    assert item.published == "2023-05-02"  # the default mapping for published still applies
    assert item.retrieved is None and item.metadata == {"retrieved_raw": "soon"}
    # read_file (one file, as the pipeline's workers use it) completes the mapping the same way
    (same,) = read_file(tmp_path / "a.json", "a.json", config)
    assert (same.title, same.text, same.published) == (TITLE, BODY, "2023-05-02")


def test_unknown_field_in_the_mapping_is_a_usage_error(tmp_path):
    path = write(tmp_path / "a.json", "[]")
    with pytest.raises(UsageError, match=r"unknown field.*'body_html'"):
        read_inputs([path], CorpusConfig(fields={"body_html": "html"}))


def test_json_single_object_and_other_encodings(tmp_path):
    one = json.dumps(SNN_RECORD, ensure_ascii=False)
    assert only(read(write(tmp_path / "o.json", one))).text == BODY
    item = only(read(write(tmp_path / "u16.json", one.encode("utf-16"))))
    assert item.text == BODY and item.provenance.encoding == "utf-16"
    item = only(read(write(tmp_path / "bom.json", one.encode("utf-8-sig"))))
    assert item.text == BODY and item.provenance.encoding == "utf-8-sig"
    item = only(read(write(tmp_path / "w.json", one.encode("cp1256"))))
    assert item.text == BODY and item.provenance.encoding == "cp1256"


@pytest.mark.parametrize(
    ("content", "reason", "where"),
    [
        ('[{"title": "خبر", "content": "بدأ', "unparsable", "not valid JSON"),
        ('"just a string"', "unparsable", "a string"),
        ("[]", "empty_input", "empty"),
        ("   \n", "empty_input", "empty"),
        ("[1]", "not_an_object", "an int"),
        ('[{"title": "خبر", "body": "نص"}]', "missing_text", "'content'"),
        ('[{"title": "خبر", "content": ["نص"]}]', "bad_field", "an array"),
    ],
)
def test_bad_json_is_a_rejection_with_a_reason(tmp_path, content, reason, where):
    path = write(tmp_path / "bad.json", content)
    item = only(read(path))
    assert isinstance(item, Rejection)
    assert item.reason == reason
    assert where in item.detail and str(path) in item.detail
    assert "\n" not in item.detail
    assert item.provenance.input_file == path.as_posix()


def test_null_text_is_an_empty_body_not_a_missing_field(tmp_path):
    item = only(read(write(tmp_path / "n.json", '[{"title": "t", "content": null}]')))
    assert isinstance(item, RawRecord) and item.text == ""


def test_jsonl_reads_every_good_line_and_rejects_bad_ones(tmp_path):
    good = json.dumps(SNN_RECORD, ensure_ascii=False)
    path = write(tmp_path / "feed.jsonl", f"{good}\n\n{{broken\n[1, 2]\r\n{good}\r\n")
    items = read(path)
    assert [type(i).__name__ for i in items] == ["RawRecord", "Rejection", "Rejection", "RawRecord"]
    assert [i.provenance.record for i in items] == ["line 1", "line 3", "line 4", "line 5"]
    assert items[1].reason == "unparsable" and items[2].reason == "not_an_object"
    assert items[0].text == items[3].text == BODY
    assert items[0].provenance.reader == "jsonl_v1"


def test_empty_jsonl_is_an_empty_input(tmp_path):
    assert only(read(write(tmp_path / "e.jsonl", "\n\n"))).reason == "empty_input"


# --- zip archives ---------------------------------------------------------------------------


def test_zip_of_json_in_saudinewsnet_shape(tmp_path):
    path = tmp_path / "2015-07-21.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("b.json", json.dumps([SNN_RECORD, SNN_RECORD], ensure_ascii=False))
        z.writestr("a.jsonl", json.dumps(SNN_RECORD, ensure_ascii=False) + "\n")
        z.writestr("notes.pdf", b"%PDF-1.4")
        z.writestr("inner/", b"")
        z.writestr("__MACOSX/._b.json", b"\x00\x05")
        z.writestr(".DS_Store", b"\x00")
    items = read(path)
    assert [i.provenance.record for i in items] == [
        "a.jsonl line 1",
        "b.json#0",
        "b.json#1",
        "notes.pdf",
    ]
    assert all(i.provenance.input_file == path.as_posix() for i in items)
    assert [i.text for i in items[:3]] == [BODY] * 3
    assert items[3].reason == "unsupported" and "notes.pdf" in items[3].detail


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: zipfile.ZipFile(p, "w").close(), "empty_input"),
        (lambda p: p.write_bytes(b"PK\x03\x04 this is not really a zip"), "unparsable"),
        (lambda p: p.write_bytes(b""), "unparsable"),
    ],
)
def test_bad_zip_is_a_rejection(tmp_path, make, reason):
    path = tmp_path / "bad.zip"
    make(path)
    item = only(read(path))
    assert isinstance(item, Rejection) and item.reason == reason


def test_corrupted_zip_member_is_rejected_alone(tmp_path):
    path = tmp_path / "c.zip"
    payload = json.dumps([SNN_RECORD] * 20, ensure_ascii=False).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.json", payload)
        z.writestr("b.json", payload)
    data = bytearray(path.read_bytes())
    start = data.index(b"a.json") + len("a.json") + 40  # inside a.json's compressed bytes
    for i in range(start, start + 30):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    items = read(path)
    assert items[0].reason == "unparsable" and items[0].provenance.record == "a.json"
    assert len(items) == 21 and all(isinstance(i, RawRecord) for i in items[1:])


# --- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{charset}">
<title>{title} | صحيفة الوادي</title>
<meta property="og:title" content="{title}">
<meta name="author" content="فهد الزين">
<meta property="article:published_time" content="2023-05-02T10:00:00+03:00">
<link rel="canonical" href="https://alwadi.example/news/2023/05/02/bank">
</head><body><nav><a href="/">الرئيسية</a> | <a href="/local">محليات</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>
<footer>جميع الحقوق محفوظة © صحيفة الوادي</footer></body></html>"""


def page(charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
    return PAGE.format(charset=charset, title=TITLE, paragraphs=paragraphs)


def test_html_main_text_title_date_author_url(tmp_path):
    item = only(read(write(tmp_path / "p.html", page())))
    assert isinstance(item, RawRecord)
    assert item.title == TITLE
    for paragraph in BODY.split("\n\n"):
        assert paragraph in item.text
    assert "الرئيسية" not in item.text and "جميع الحقوق" not in item.text
    assert item.published == "2023-05-02"
    assert item.author == "فهد الزين"
    assert item.url == "https://alwadi.example/news/2023/05/02/bank"
    assert item.source == "alwadi.example"
    assert item.provenance.reader == "html_v1"


def test_html_in_windows_1256(tmp_path):
    item = only(read(write(tmp_path / "p.htm", page("windows-1256").encode("cp1256"))))
    assert item.title == TITLE and item.provenance.encoding == "cp1256"


def test_html_without_an_article_is_rejected(tmp_path):
    blank = "<html><head><title>x</title><script>var a = 1;</script></head><body></body></html>"
    item = only(read(write(tmp_path / "n.html", blank)))
    assert isinstance(item, Rejection) and item.reason == "no_main_text"
    nav = "<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>"
    item = only(read(write(tmp_path / "nav.html", nav)))
    assert isinstance(
        clean(item, CorpusConfig()) if isinstance(item, RawRecord) else item, Rejection
    )


# --- paths, directories, garbage ---------------------------------------------------------------


def test_directories_are_walked_in_sorted_order_and_hidden_files_skipped(tmp_path):
    write(tmp_path / "b" / "2.txt", TEXT)
    write(tmp_path / "b" / "10.txt", TEXT)
    write(tmp_path / "a.txt", TEXT)
    write(tmp_path / ".hidden.txt", TEXT)
    write(tmp_path / ".git" / "x.txt", TEXT)
    write(tmp_path / "notes.md", "# ملاحظات")
    names = [display for display, _ in list_inputs([tmp_path])]
    root = tmp_path.as_posix()
    assert names == [f"{root}/a.txt", f"{root}/b/10.txt", f"{root}/b/2.txt", f"{root}/notes.md"]
    items = read(tmp_path)
    assert [type(i).__name__ for i in items] == ["RawRecord"] * 3 + ["Rejection"]
    assert items[-1].reason == "unsupported"
    assert [i.provenance for i in read(tmp_path)] == [i.provenance for i in items]


def test_garbage_files_are_rejections_with_reasons(tmp_path):
    rng = random.Random(1)
    write(tmp_path / "binary.txt", bytes(rng.randrange(256) for _ in range(2048)))
    write(tmp_path / "binary.json", bytes(rng.randrange(256) for _ in range(2048)))
    write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "truncated.json", json.dumps([SNN_RECORD], ensure_ascii=False)[:-20])
    zipfile.ZipFile(tmp_path / "empty.zip", "w").close()
    write(tmp_path / "latin1.html", "<p>Grüße aus Köln</p>".encode("latin-1"))
    reasons = {Path(i.provenance.input_file).name: i.reason for i in read(tmp_path)}
    assert reasons == {
        "binary.json": "undecodable",
        "binary.txt": "undecodable",
        "empty.txt": "empty_input",
        "empty.zip": "empty_input",
        "image.png": "unsupported",
        "latin1.html": "undecodable",
        "truncated.json": "unparsable",
    }


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p / "missing", "no such file or directory"),
        (lambda p: p, "no input files"),
        (lambda p: write(p / "x.md", "#") and p, "no input files"),
    ],
)
def test_unusable_paths_are_one_line_usage_errors(tmp_path, setup, message):
    path = setup(tmp_path)
    with pytest.raises(UsageError) as err:
        read_inputs([path], CorpusConfig())  # raised at the call, before any record is read
    assert message in str(err.value) and "\n" not in str(err.value)


def test_no_inputs_is_a_usage_error():
    with pytest.raises(UsageError, match="no inputs"):
        read_inputs([], CorpusConfig())


def test_cli_turns_garbage_into_rejections_and_bad_paths_into_one_line(tmp_path):
    garbage = tmp_path / "in"
    write(garbage / "binary.txt", bytes(range(256)) * 8)
    write(garbage / "truncated.json", '[{"title": "خبر", "content": "بدأ')
    zipfile.ZipFile(garbage / "empty.zip", "w").close()
    write(garbage / "good.txt", TEXT)
    run = subprocess.run(
        [str(AKHBAR), "corpus", "build", str(garbage), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    rejected = [
        json.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()
    ]
    assert sorted(r["reason"] for r in rejected) == ["empty_input", "undecodable", "unparsable"]
    empty = tmp_path / "nothing"
    empty.mkdir()
    run = subprocess.run(
        [str(AKHBAR), "corpus", "build", str(empty), "--out", str(tmp_path / "out2")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "no input files" in run.stderr


# --- the bundled sample and SaudiNewsNet --------------------------------------------------------


def test_sample_reads_every_shape_and_encoding():
    items = read(SAMPLE)
    assert len(items) == 33
    by_file: dict[str, set[str | None]] = {}
    for i in items:
        by_file.setdefault(Path(i.provenance.input_file).name, set()).add(i.provenance.encoding)
    assert by_file["kidnapped_engineers_cp1256.txt"] == {"cp1256"}
    assert by_file["ammunition_depot_utf16.txt"] == {"utf-16"}
    assert by_file["007_football_cup_bom.txt"] == {"utf-8-sig"}
    readers = {i.provenance.reader for i in items if isinstance(i, RawRecord)}
    assert readers == {"txt_v1", "json_v1", "jsonl_v1", "html_v1"}
    zipped = [i for i in items if i.provenance.input_file.endswith(".zip")]
    assert [i.provenance.record for i in zipped] == [f"2023-05-03.json#{n}" for n in range(3)]


@pytest.mark.skipif(not SNN.is_dir(), reason=f"shared data absent: {SNN}")
@pytest.mark.shared_data
def test_saudinewsnet_zip_reads_like_orjson():
    path = sorted(SNN.glob("*.zip"))[0]
    with zipfile.ZipFile(path) as z:
        (member,) = z.namelist()
        expected = orjson.loads(z.read(member))
    items = read(path)
    assert len(items) == len(expected)
    assert all(isinstance(i, RawRecord) for i in items)
    for item, obj in zip(items, expected, strict=True):
        assert (item.title, item.text, item.source, item.url, item.author) == (
            obj["title"],
            obj["content"],
            obj["source"],
            obj["url"],
            obj["author"],
        )
        assert item.retrieved == obj["date_extracted"].replace(" ", "T")
    assert items[5].provenance.record == f"{member}#5"
