"""HTML extraction measured against gold texts: pages in the shapes of Arabic news sites, written
for this project (invented news, our own markup), each with the article text a reader would call
the article and the layout it stands for in ``gold.json``: portals, a wire service, a blog, live
updates, print views, mobile (AMP) pages, comments below the article, related links inside the
body, a right-to-left template with left-to-right menus, a table layout, an opinion column, and
pages with their menu line, breadcrumbs, date line, byline, comment notice and copyright inside
the article's column. The rules are general (structure, trafilatura's options, page chrome
written the way every site writes it), never fitted to one page: word precision and recall must
be at least 0.95 over all pages and 0.85 for every layout."""

import json
import re
from collections import Counter, defaultdict

import pytest

from akhbar.corpus.cleaning import clean
from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers import read_file
from akhbar.corpus.records import Article
from tests.helpers import TEST_DATA

GOLD = TEST_DATA / "html_gold"
PAGES = json.loads((GOLD / "gold.json").read_text(encoding="utf-8"))


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text))


def extract(name: str) -> Article:
    (record,) = read_file(GOLD / f"{name}.html", f"{name}.html", CorpusConfig())
    article = clean(record, CorpusConfig())
    assert isinstance(article, Article), article
    return article


def precision_recall(got: str, gold: str) -> tuple[float, float, int, int, int]:
    g, e = words(gold), words(got)
    hit = sum((g & e).values())
    return (
        hit / max(1, sum(e.values())),
        hit / sum(g.values()),
        hit,
        sum(e.values()),
        sum(g.values()),
    )


LAYOUTS = sorted({page["layout"] for page in PAGES.values()})


def measure(names) -> tuple[int, int, int]:
    """(gold words found, words kept, gold words) over these pages."""
    hits = kept = wanted = 0
    for name in names:
        article = extract(name)
        gold = (GOLD / f"{name}.txt").read_text(encoding="utf-8")
        _, _, h, k, w = precision_recall(article.text, gold)
        hits, kept, wanted = hits + h, kept + k, wanted + w
    return hits, kept, wanted


def test_the_gold_set_is_broad():
    assert len(PAGES) >= 20 and len(LAYOUTS) >= 10


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_keeps_its_article_words(layout):
    names = [n for n, page in sorted(PAGES.items()) if page["layout"] == layout]
    for name in names:
        article = extract(name)
        gold = (GOLD / f"{name}.txt").read_text(encoding="utf-8")
        p, r, *_ = precision_recall(article.text, gold)
        extra = words(article.text) - words(gold)
        missing = words(gold) - words(article.text)
        assert p >= 0.85, f"{name}: precision {p:.3f}; words not in the article: {dict(extra)}"
        assert r >= 0.85, f"{name}: recall {r:.3f}; article words lost: {dict(missing)}"
        assert article.published == PAGES[name]["published"], name


def test_all_pages_together_per_layout_and_the_rules_that_did_it():
    by_layout: dict[str, list[str]] = defaultdict(list)
    for name, page in sorted(PAGES.items()):
        by_layout[page["layout"]].append(name)
    print("\nHTML gold, word precision / recall per layout:")
    for layout, names in sorted(by_layout.items()):
        h, k, w = measure(names)
        print(f"  {layout:22s} {len(names)} page(s)  P {h / max(1, k):.3f}  R {h / w:.3f}")
    hits, kept, wanted = measure(PAGES)
    rules: Counter[str] = Counter()
    for name in PAGES:
        rules.update(extract(name).provenance.rules)
    assert hits / kept >= 0.95 and hits / wanted >= 0.95
    # each kind of page chrome was met on these pages, and counted where it was removed
    for rule in (
        "strip_menu_bar_v1",
        "strip_breadcrumb_v1",
        "strip_date_line_v1",
        "strip_byline_v1",
        "strip_comment_notice_v1",
        "strip_copyright_v1",
    ):
        assert rules[rule] >= 1, rule
    print(
        f"HTML gold: {len(PAGES)} pages, {len(by_layout)} layouts: word precision "
        f"{hits / kept:.3f}, recall {hits / wanted:.3f} ({kept} kept)"
    )
