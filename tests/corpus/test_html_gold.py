"""HTML extraction measured against gold texts: pages in the shapes of Arabic news sites (menu
lines, breadcrumbs, date lines, bylines, comment notices and copyright in the article's column),
written for this project, each with the article text a reader would call the article."""

import json
import re
from collections import Counter

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


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_text_matches_gold_words(name):
    article = extract(name)
    gold = (GOLD / f"{name}.txt").read_text(encoding="utf-8")
    p, r, *_ = precision_recall(article.text, gold)
    extra = words(article.text) - words(gold)
    missing = words(gold) - words(article.text)
    assert p >= 0.95, f"{name}: precision {p:.3f}; words not in the article: {dict(extra)}"
    assert r >= 0.95, f"{name}: recall {r:.3f}; article words lost: {dict(missing)}"
    assert article.published == PAGES[name]["published"]


def test_all_pages_together_and_the_rules_that_did_it():
    hits = kept = wanted = 0
    rules: Counter[str] = Counter()
    for name in PAGES:
        article = extract(name)
        gold = (GOLD / f"{name}.txt").read_text(encoding="utf-8")
        _, _, h, k, w = precision_recall(article.text, gold)
        hits, kept, wanted = hits + h, kept + k, wanted + w
        rules.update(article.provenance.rules)
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
        f"\nHTML gold: word precision {hits / kept:.3f}, recall {hits / wanted:.3f} ({kept} kept)"
    )
