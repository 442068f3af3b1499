"""The documentation site builds strictly, and its reference lists what the code defines.

The site is built once, as ``make docs`` builds it (``mkdocs build --strict``), into a
temporary folder; the tests read the HTML a reader gets. The reference pages are generated from
the code by ``docs/hooks/reference.py``; these tests walk the code themselves (the click tree,
the codes table, the schemas, the config dataclasses) and look for each thing in the pages.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest

from tests.docs.doc_blocks import DOCS, REPO

pytestmark = pytest.mark.slow


def build(root: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = build(REPO, out)
    assert done.returncode == 0, done.stderr[-4000:]
    return out


def page_html(site: Path, name: str) -> str:
    """The article of a built page (its main content, without navigation)."""
    text = (site / name / "index.html").read_text(encoding="utf-8")
    return text[text.index("<article") : text.rindex("</article>")]


def sections(article: str) -> dict[str, str]:
    """The HTML between each heading with an id and the next heading of any command."""
    parts = re.split(r'(<h\d id="(akhbar[^"]*)")', article)
    return {parts[i + 1]: parts[i + 2] for i in range(1, len(parts) - 2, 3)}


def commands() -> list[tuple[tuple[str, ...], click.Command]]:
    from akhbar.cli.main import cli

    found = []

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        found.append((path, cmd))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(cli, ())
    return found


def test_reference_lists_every_command_and_option(site):
    by_anchor = sections(page_html(site, "reference/cli"))
    missing = []
    for path, cmd in commands():
        anchor = "-".join(("akhbar", *path))
        section = by_anchor.get(anchor)
        if section is None:
            missing.append(" ".join(("akhbar", *path)))
            continue
        for param in cmd.params:
            names = (
                [*param.opts, *param.secondary_opts]
                if isinstance(param, click.Option)
                else [param.human_readable_name]
            )
            missing += [
                f"{anchor} {n}" for n in names if f"<code>{html.escape(n)}</code>" not in section
            ]
    assert not missing, missing
    # and nothing that the code does not define
    assert set(by_anchor) == {"-".join(("akhbar", *p)) for p, _ in commands()}


def test_reference_lists_every_check_code(site):
    from akhbar.schemas.checks import CHECKS

    page = html.unescape(re.sub(r"<[^>]+>", "", page_html(site, "reference/checks")))
    flat = " ".join(page.split())
    for check in CHECKS.values():
        row = f"{check.code} {check.name} {check.severity} {' '.join(check.explanation.split())}"
        assert row in flat, row
    listed = set(re.findall(r"\bAK\d{3}\b", flat))
    assert listed == set(CHECKS), listed ^ set(CHECKS)
    # with a real message of the document check for the codes it can give alone
    assert "AK103 span-text-mismatch error value.text differs from text[start:end]. text " in flat
    assert "is not a label of entity in ace-ar-conflict@" in flat


def test_reference_shows_every_schema_and_its_fields(site):
    page = page_html(site, "reference/schemas")
    for path in sorted((REPO / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert path.name in page
        assert html.escape(schema.get("title", path.name)) in page
        root = schema.get("items") if schema.get("type") == "array" else schema
        for field in (root or {}).get("properties", {}):
            assert f"<code>{field}</code>" in page, (path.name, field)


def test_reference_lists_every_config_key(site):
    from akhbar.corpus.config import CorpusConfig

    page = page_html(site, "reference/config")

    def keys(cls, prefix):
        for f in dataclasses.fields(cls):
            yield prefix + f.name
            value = getattr(cls(), f.name)
            if dataclasses.is_dataclass(value):
                yield from keys(type(value), f"{prefix}{f.name}.")

    for key in keys(CorpusConfig, ""):
        assert f"<code>{key}</code>" in page, key
    assert "<code>sources.NAME.drop_line_patterns</code>" in page


def test_reference_lists_every_taxonomy_key(site):
    schema = json.loads((REPO / "schemas" / "taxonomy.schema.json").read_text(encoding="utf-8"))
    page = page_html(site, "reference/taxonomy")
    for key in schema["properties"]:
        assert f"<code>{key}</code>" in page, key
    for key in schema["$defs"]["label"]["properties"]:
        if key != "roles":
            assert f"<code>entities[].{key}</code>" in page, key
    assert "<code>events[].roles[].entity_types</code>" in page


def test_guidelines_page_has_the_taxonomy_and_the_picture(site):
    from akhbar.schemas.taxonomy import load

    page = page_html(site, "guidelines")
    assert 'src="../annotator.png"' in page
    assert (site / "annotator.png").stat().st_size == (DOCS / "annotator.png").stat().st_size
    tax = load(None)
    for label in (*tax.entities, *tax.events):
        assert f">{label.name}<" in page, label.name
        assert html.escape(label.definition) in page, label.name


class ArabicOutsideRtl(HTMLParser):
    """Collects Arabic text that is neither in a code block nor in a right-to-left element."""

    ARABIC = re.compile("[\u0600-\u06ff]")
    VOID = frozenset(
        {"br", "img", "hr", "input", "meta", "link", "wbr", "col", "area", "source", "embed"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        ok = tag in ("pre", "script", "style") or dict(attrs).get("dir") == "rtl"
        self.stack.append((tag, ok or (bool(self.stack) and self.stack[-1][1])))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if self.ARABIC.search(data) and not (self.stack and self.stack[-1][1]):
            self.found.append(data.strip()[:60])


def test_arabic_is_laid_out_right_to_left_on_every_page(site):
    pages = [p for p in site.rglob("index.html") if "search" not in p.parts]
    assert len(pages) > 15
    bad = {}
    for path in pages:
        text = path.read_text(encoding="utf-8")
        parser = ArabicOutsideRtl()
        parser.feed(text[text.index("<article") : text.rindex("</article>")])
        if parser.found:
            bad[str(path.relative_to(site))] = parser.found
    assert not bad, bad
    offsets = page_html(site, "concepts/offsets")
    assert '<code><span dir="rtl" lang="ar">وبغداد</span></code>' in offsets


def test_the_rtl_check_finds_arabic_left_to_right():
    parser = ArabicOutsideRtl()
    parser.feed('<p>in <span dir="rtl">بغداد</span> and <code>الموصل</code></p><pre>حلب</pre>')
    assert parser.found == ["الموصل"]


def test_every_hand_written_page_is_in_the_site(site):
    for md in DOCS.rglob("*.md"):
        if "hooks" in md.parts:
            continue
        rel = md.relative_to(DOCS).with_suffix("")
        built = site / ("" if rel.name == "index" else rel) / "index.html"
        assert built.is_file(), md


def copy_site_sources(root: Path) -> None:
    root.mkdir()
    shutil.copytree(DOCS, root / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for name in ("schemas", "corpus"):  # what the reference pages are generated from
        (root / name).symlink_to(REPO / name)


def test_a_new_howto_page_joins_the_nav(tmp_path):
    """A feature's how-to, landed from its branch, is in the site without editing mkdocs.yml."""
    root = tmp_path / "repo"
    copy_site_sources(root)
    (root / "docs" / "howto" / "zz-new.md").write_text("# Do a new thing\n\nSo.\n")
    done = build(root, tmp_path / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Do a new thing" in home


def test_a_broken_link_or_a_page_out_of_the_nav_fails_the_build(tmp_path):
    """The strict build is no formality: a link to a page that does not exist fails it, and so
    does a page (other than a how-to) that the nav leaves out."""
    root = tmp_path / "repo"
    copy_site_sources(root)
    page = root / "docs" / "concepts" / "offsets.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](nowhere.md)\n", encoding="utf-8")
    (root / "docs" / "concepts" / "stray.md").write_text("# Stray\n")
    done = build(root, tmp_path / "site")
    assert done.returncode != 0
    assert "nowhere.md" in done.stderr
    assert "concepts/stray.md" in done.stderr
