"""Hostile and broken inputs (issue 10, cases 1, 5, 6, 7, 10): nothing garbled, nothing hangs,
nothing unaccounted for. Each test builds its fault on the fly in a temporary directory."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from akhbar.corpus.config import CorpusConfig, LimitsConfig, load_config
from akhbar.corpus.readers import read_inputs
from akhbar.corpus.readers.encoding import REPLACED_RULE, DecodeError, decode
from akhbar.corpus.records import RawRecord, Rejection
from akhbar.schemas.errors import UsageError
from akhbar.schemas.yaml_safe import YAMLTooLarge, load_yaml
from tests.helpers import run_akhbar

TITLE = "سيول غزيرة تغمر شوارع المدينة"
BODY = (
    "قال المتحدث باسم الدفاع المدني إن الأمطار الغزيرة التي هطلت منذ مساء أمس أدت إلى غمر عدد "
    "من الشوارع الرئيسية في المدينة، وإن فرق الإنقاذ تعمل على سحب المياه وإعادة فتح الطرق."
)
ARTICLE = f"{TITLE}\n\n{BODY}\n"


def read(*paths, config: CorpusConfig | None = None) -> list[RawRecord | Rejection]:
    return list(read_inputs([str(p) for p in paths], config or CorpusConfig()))


def rejections(items) -> dict[str, list[Rejection]]:
    out: dict[str, list[Rejection]] = {}
    for item in items:
        if isinstance(item, Rejection):
            out.setdefault(item.reason, []).append(item)
    return out


def build(tmp_path: Path, *inputs, config: str | None = None) -> dict:
    args = ["corpus", "build", *inputs, "--out", tmp_path / "out", "--workers", "1"]
    if config:
        (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
        args += ["--config", tmp_path / "config.yaml"]
    code, _, err = run_akhbar(*args)
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["input"] == report["kept"] + report["rejected"] + report["duplicates"]
    return report


# --- case 1: decoding never guesses wrong silently ------------------------------------------


def test_case1_a_stray_byte_in_utf8_is_replaced_and_counted_not_read_as_cp1256(tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode() + b"\xff")
    (item,) = read(tmp_path / "a.txt")
    assert isinstance(item, RawRecord)
    assert item.title == TITLE  # before: decoded whole as Windows-1256, "ط³ظٹظˆظ„ ..."
    assert item.provenance.encoding == "utf-8"
    assert item.provenance.rules == {REPLACED_RULE: 1}
    assert item.text.endswith("\ufffd")


def test_case1_the_replacement_rule_reaches_the_article_and_the_report(tmp_path):
    (tmp_path / "in").mkdir()
    data = ARTICLE.encode().replace(" غمر".encode(), b" \xc3(")
    assert data.count(b"\xc3(") == 1
    (tmp_path / "in" / "a.txt").write_bytes(data)
    report = build(tmp_path, tmp_path / "in")
    assert report["kept"] == 1
    assert report["by_rule"][REPLACED_RULE] == {"records": 1, "applications": 1}


def test_case1_one_bad_line_of_json_lines_garbles_no_other_line(tmp_path):
    good = {"title": TITLE, "content": BODY}
    cp1256_line = json.dumps({"title": "خبر", "content": BODY}, ensure_ascii=False)
    lines = [
        json.dumps(good, ensure_ascii=False).encode(),
        cp1256_line.encode("cp1256"),  # a whole line in Windows-1256: plausible Arabic
        b'{"title": "Gr\xfc\xdfe", "content": "Stra\xdfe"}',  # Latin-1: not guessed
        json.dumps(good, ensure_ascii=False).encode()[:-3] + b"\xff" + b'"}',
    ]
    (tmp_path / "a.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    items = read(tmp_path / "a.jsonl")
    assert len(items) == 4
    first, second, third, fourth = items
    assert isinstance(first, RawRecord) and first.title == TITLE
    assert first.provenance.encoding == "utf-8" and first.provenance.rules == {}
    assert isinstance(second, RawRecord) and second.text == BODY
    assert second.provenance.encoding == "cp1256"
    assert isinstance(third, Rejection) and third.reason == "undecodable"
    assert isinstance(fourth, RawRecord) and fourth.title == TITLE
    assert fourth.provenance.rules == {REPLACED_RULE: 1}


def test_case1_mostly_latin_bytes_are_rejected_with_the_byte_offset():
    data = "Grüße aus Köln, schöne Straße".encode("latin-1")
    with pytest.raises(DecodeError, match="at byte 2") as info:
        decode(data)
    assert info.value.offset == 2


def test_case1_a_jsonl_line_that_is_not_text_is_rejected_with_its_file_offset(tmp_path):
    first = json.dumps({"title": TITLE, "content": BODY}, ensure_ascii=False).encode()
    bad = b'{"title": "Gr\xfc\xdfe", "content": "Stra\xdfe"}'
    (tmp_path / "a.jsonl").write_bytes(first + b"\n" + bad + b"\n")
    _, rejected = read(tmp_path / "a.jsonl")
    assert rejected.reason == "undecodable"
    assert f"at byte {len(first) + 1 + 13}" in rejected.detail


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_detected(tmp_path, encoding):
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode(encoding))
    (item,) = read(tmp_path / "a.txt")
    assert isinstance(item, RawRecord), item
    assert item.title == TITLE and item.provenance.encoding == encoding
    lines = f"{json.dumps({'title': TITLE, 'content': BODY}, ensure_ascii=False)}\n" * 2
    (tmp_path / "b.jsonl").write_bytes(lines.encode(encoding))
    items = read(tmp_path / "b.jsonl")
    assert [type(i) for i in items] == [RawRecord, RawRecord]


def test_case1_utf8_with_too_many_bad_bytes_is_rejected_not_read_as_cp1256():
    data = bytearray(ARTICLE.encode())
    data[1::13] = b"\xff" * len(data[1::13])
    with pytest.raises(DecodeError, match=r"mostly UTF-8, but .* the first at byte 0,"):
        decode(bytes(data))


def test_truncated_utf16_without_a_bom_is_rejected_saying_so():
    with pytest.raises(DecodeError, match="not UTF-16/UTF-32 \\(with or without a BOM\\)"):
        decode(ARTICLE.encode("utf-16-le")[:-1] + b"\xff\xd8")


# --- case 5 and 6: symlink loops, FIFOs, sockets --------------------------------------------


def test_case5_symlink_loops_end_and_each_file_is_read_once(tmp_path):
    src = tmp_path / "in"
    (src / "d" / "e").mkdir(parents=True)
    (src / "d" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink("..", src / "d" / "up")  # before: one loop counted a.txt 42 times
    os.symlink("../..", src / "d" / "e" / "up2")  # before: two loops hung forever
    items = read(src)
    kept = [i for i in items if isinstance(i, RawRecord)]
    assert len(kept) == 1
    loops = rejections(items)["repeated_directory"]
    assert sorted(r.provenance.input_file for r in loops) == [f"{src}/d/e/up2", f"{src}/d/up"]


def test_case6_a_fifo_and_a_socket_are_rejected_without_being_opened(tmp_path):
    import socket

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(src / "pipe.txt")  # opening it for reading would wait for a writer forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(src / "sock.json"))
    try:
        report = build(tmp_path, src)
    finally:
        sock.close()
    assert report["kept"] == 1
    assert report["by_reason"] == {"not_a_file": 2}
    lines = (tmp_path / "out" / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    details = sorted(json.loads(line)["detail"] for line in lines)
    assert "named pipe (FIFO); not opened" in details[0]
    assert "a socket; not opened" in details[1]


# --- case 10: inputs not accounted for ------------------------------------------------------


def test_case10_unsafe_zip_members_and_unreadable_directories_are_counted(tmp_path, monkeypatch):
    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "locked" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    record = json.dumps([{"title": TITLE, "content": BODY}], ensure_ascii=False)
    with zipfile.ZipFile(src / "a.zip", "w") as z:
        z.writestr("ok.json", record)
        z.writestr("../evil.json", record)
        z.writestr("/abs.json", record)
    (src / "locked").chmod(0)
    if os.geteuid() == 0:  # root lists any directory: inject the permission error instead
        real_scandir = os.scandir

        def scandir(path="."):
            if Path(path) == src / "locked":
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        report = build(tmp_path, src)
    finally:
        (src / "locked").chmod(0o755)
    assert report["input"] == 4  # before: 3, and neither the members nor the directory counted
    assert report["by_reason"] == {"unreadable": 1, "unsafe_member": 2}


# --- case 7: limits, found while streaming --------------------------------------------------


def _zip_bomb(path: Path, member_bytes: int) -> None:
    """A zip whose one member decompresses to ``member_bytes`` (zeros compress ~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("bomb.json", "w", force_zip64=True) as f:
            chunk = b"\x00" * 2**20
            for _ in range(member_bytes // len(chunk)):
                f.write(chunk)
        z.writestr("ok.json", json.dumps([{"title": TITLE, "content": BODY}], ensure_ascii=False))


def test_case7_a_zip_bomb_member_is_rejected_from_its_size(tmp_path):
    _zip_bomb(tmp_path / "bomb.zip", 64 * 2**20)
    config = CorpusConfig(limits=LimitsConfig(max_file_bytes=2**20))
    items = read(tmp_path / "bomb.zip", config=config)
    (rejected,) = rejections(items)["too_large"]
    assert "bomb.json" in rejected.detail and "limits.max_file_bytes" in rejected.detail
    assert sum(isinstance(i, RawRecord) for i in items) == 1


def test_case7_a_member_whose_header_lies_about_its_size_is_rejected(tmp_path):
    _zip_bomb(tmp_path / "bomb.zip", 8 * 2**20)
    with zipfile.ZipFile(tmp_path / "bomb.zip") as z:
        size = z.getinfo("bomb.json").file_size
    data = (tmp_path / "bomb.zip").read_bytes()
    for blob in (size.to_bytes(8, "little"), size.to_bytes(4, "little")):  # zip64 and plain
        data = data.replace(blob, (100).to_bytes(len(blob), "little"))
    (tmp_path / "bomb.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "bomb.zip") as z:
        assert z.getinfo("bomb.json").file_size == 100  # the header now passes the size check
    items = read(tmp_path / "bomb.zip", config=CorpusConfig(limits=LimitsConfig(2**20)))
    (rejected,) = rejections(items)["unparsable"]
    assert "bomb.json: cannot extract" in rejected.detail
    assert sum(isinstance(i, RawRecord) for i in items) == 1


def test_case7_the_archive_total_is_bounded_too(tmp_path):
    record = json.dumps([{"title": TITLE, "content": BODY}], ensure_ascii=False)
    with zipfile.ZipFile(tmp_path / "a.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(5):
            z.writestr(f"{i}.json", record)
    size = len(record.encode())
    config = CorpusConfig(limits=LimitsConfig(max_archive_bytes=3 * size))
    items = read(tmp_path / "a.zip", config=config)
    assert sum(isinstance(i, RawRecord) for i in items) == 3
    assert len(rejections(items)["too_large"]) == 2


def test_case7_an_overlong_article_is_rejected_before_it_is_read(tmp_path):
    (tmp_path / "long.txt").write_text(TITLE + "\n" + "خبر " * 3000, encoding="utf-8")
    config = CorpusConfig(limits=LimitsConfig(max_article_chars=1000))
    (rejected,) = read(tmp_path / "long.txt", config=config)
    assert rejected.reason == "too_long" and "4 x limits.max_article_chars" in rejected.detail
    record = {"title": TITLE, "content": "خبر " * 300}
    (tmp_path / "long.json").write_text(json.dumps([record]), encoding="utf-8")
    (rejected,) = read(tmp_path / "long.json", config=config)
    assert rejected.reason == "too_long" and "limits.max_article_chars (1000)" in rejected.detail


def test_json_nested_deeper_than_the_limit_is_rejected_not_a_crash(tmp_path):
    deep: object = "x"
    for _ in range(300):  # orjson reads 300 levels but cannot write them back
        deep = [deep]
    rows = [{"title": TITLE, "content": BODY, "extra": deep}, {"title": TITLE, "content": BODY}]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_bytes("\n".join(json.dumps(r) for r in rows).encode())
    report = build(tmp_path, tmp_path / "in")
    assert report["by_reason"] == {"too_deep": 1} and report["kept"] == 1


def _alias_bomb(levels: int = 8) -> str:
    names = "abcdefghij"
    parts = ["&a [" + ", ".join(["xxxxxxxx"] * 9) + "]"]
    parts += [
        f"&{names[i]} [" + ", ".join([f"*{names[i - 1]}"] * 9) + "]" for i in range(1, levels)
    ]
    return "[" + ", ".join(parts) + "]"


def test_case7_a_yaml_alias_bomb_is_refused_on_its_node_graph():
    with pytest.raises(YAMLTooLarge, match="aliases expand"):
        load_yaml(f"x: {_alias_bomb()}")
    assert load_yaml("a: &x [1, 2]\nb: *x") == {"a": [1, 2], "b": [1, 2]}


def test_case7_a_taxonomy_alias_bomb_is_a_one_line_error(tmp_path):
    from akhbar.schemas.taxonomy import DEFAULT_TAXONOMY

    text = DEFAULT_TAXONOMY.read_text(encoding="utf-8")
    example = "      example: قال [المتحدث باسم الجيش] إن القوات انسحبت."
    assert example in text
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(text.replace(example, f"      example: {_alias_bomb()}"), encoding="utf-8")
    code, out, err = run_akhbar("annotate", "config", "--taxonomy", bomb)
    assert code == 2 and not out
    assert err.count("\n") == 1 and "aliases expand to more than" in err


def test_limits_in_the_config_file_are_checked(tmp_path):
    (tmp_path / "c.yaml").write_text("limits:\n  max_file_bytes: 10\n", encoding="utf-8")
    assert load_config(tmp_path / "c.yaml").limits.max_file_bytes == 10
    (tmp_path / "c.yaml").write_text("limits:\n  max_file_bytes: -1\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"limits\.max_file_bytes: expected a positive"):
        load_config(tmp_path / "c.yaml")


def test_a_build_where_every_input_is_rejected_writes_an_empty_store(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"")  # found by the fuzzer: was an ArrowInvalid
    report = build(tmp_path, tmp_path / "in")
    assert (report["input"], report["rejected"], report["kept"]) == (1, 1, 0)
