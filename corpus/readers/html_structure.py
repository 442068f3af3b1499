"""Structural rules applied to a page before trafilatura extracts its main text.

They look at what an element *is* (its tag, role, direction, shape), never at one site's class
names or wording, so they hold for layouts not seen before:

- **Page regions that are never the article** are pruned: ``nav``, ``aside``, ``footer``,
  ``form``, AMP's ``amp-sidebar``, the ARIA landmarks ``navigation``, ``banner``,
  ``contentinfo``, ``complementary`` and ``search``, and a ``header`` that holds no ``h1``
  (the site's header; an article's header with its headline stays).
- **Left-to-right blocks of an Arabic page** (a menu, cookie banner or footer in English in a
  right-to-left template) are pruned when they hold no Arabic letter: an Arabic article's text
  is Arabic, and a Latin name inside it sits in an inline element, not a block of its own.
- **Layout tables** (a table holding another table, or a cell of running text: more than
  :data:`LAYOUT_CELL_CHARS` characters or broken into lines with ``<br>``) become plain blocks,
  so that the article's cell is read as text rather than as one row of a data table.
- **The headline**: a page may give its ``<title>`` to the site ("... - print version", "site
  :: headline") and its headline only as a heading at the top of the article; :func:`headline`
  finds the headline that the extracted text starts with, so that it becomes the title (and
  the cleaning rule for a title repeated at the top takes it out of the text).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

# Elements removed before extraction (one XPath union, for trafilatura's ``prune_xpath``:
# compiled and walked once per page).
PRUNE_XPATH = " | ".join(
    [
        "//nav",
        "//aside",
        "//footer",
        "//form",
        "//amp-sidebar",
        "//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='complementary'"
        " or @role='search']",
        "//header[not(.//h1)]",
    ]
)
LAYOUT_CELL_CHARS = 300
_BLOCKS = {"div", "nav", "ul", "ol", "section", "header", "footer", "table", "p", "aside", "dl"}
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_SPACE = re.compile(r"\s+")


def _text(el: lxml_html.HtmlElement) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


def _is_arabic_page(root: lxml_html.HtmlElement) -> bool:
    lang = (root.get("lang") or "").lower()
    body = root.find("body")
    dirs = {root.get("dir"), body.get("dir") if body is not None else None}
    return lang.startswith("ar") or "rtl" in dirs


def _prune_ltr_blocks(root: lxml_html.HtmlElement) -> None:
    for el in list(root.iter(*_BLOCKS)):
        if el.get("dir") == "ltr" and el.getparent() is not None and not _ARABIC.search(_text(el)):
            el.drop_tree()


def _is_layout_table(table: lxml_html.HtmlElement) -> bool:
    if table.get("role") == "presentation" or table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if len(_text(cell)) > LAYOUT_CELL_CHARS or len(cell.findall(".//br")) >= 2:
            return True
    return False


def _unwrap_layout_tables(root: lxml_html.HtmlElement) -> None:
    # Outermost first: once a layout table is unwrapped, the tables inside it are judged alone.
    for table in list(root.iter("table")):
        if not _is_layout_table(table):
            continue
        for row in table.xpath("./tr | ./*/tr"):
            for cell in row.xpath("./td | ./th"):
                cell.tag = "div"
            row.tag = "div"
        for section in table.xpath("./tbody | ./thead | ./tfoot"):
            section.drop_tag()
        table.tag = "div"
        for attr in ("width", "border", "cellpadding", "cellspacing", "bgcolor"):
            table.attrib.pop(attr, None)


def prepare(page: str) -> lxml_html.HtmlElement | None:
    """The page's tree with the structure rules applied (before ``PRUNE_XPATH``, which
    trafilatura applies after reading the metadata), or None if it cannot be parsed."""
    try:
        root = lxml_html.document_fromstring(page)
    except (ValueError, etree.ParserError):
        return None
    if _is_arabic_page(root):
        _prune_ltr_blocks(root)
    _unwrap_layout_tables(root)
    return root


def headline(root: lxml_html.HtmlElement, text: str, title: str) -> str | None:
    """The headline that ``text`` starts with, or None: its first line when that is a heading
    (h1-h3) of the page, or the larger part of ``title`` (a title of the form "site :: headline")."""
    first = _SPACE.sub(" ", text.lstrip().split("\n", 1)[0]).strip()
    if not first or len(first) > 200:
        return None
    if first in title and len(first) >= len(title) / 2:
        return first
    for h in root.iter("h1", "h2", "h3"):
        if _text(h) == first:
            return first
    return None
