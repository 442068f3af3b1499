"""The one tokeniser of akhbar's releases, for users: split raw text exactly as a release's
``ner`` config was split.

    >>> from akhbar.corpus.tokenizer import tokenize
    >>> tokenize("وصل الوفد إلى بغداد، صباح 12 مارس.")
    ['وصل', 'الوفد', 'إلى', 'بغداد', '،', 'صباح', '12', 'مارس', '.']

Rules (:data:`RULES`): a token is a run of letters and marks (a word *with* its clitics:
``وبغداد`` stays one token), a run of digits with the separators inside it (``9.50``,
``1,200``, ``٣٫٥``), or a single other character (``،`` ``؟`` ``.``). There is no clitic
segmentation anywhere, on purpose: a rule that splits و/ب/ل/ف/ك off a word cannot tell
``وبغداد`` (و + بغداد) from ``وزير`` (one word) without a lexicon, and splitting only where an
annotator started an entity would hand the labels to the model. The rules never look at labels,
so the tokens of a release's ``ner`` config are what :func:`tokenize` gives on the same text
(articles imported from a tokenised corpus, such as CoNLL, keep the source's own tokens; the
dataset card says which).

Sentences (:func:`sentences`) end after ``. ! ? ؟ ؛ …`` and at line breaks, never inside a number
or after a one-letter abbreviation (``د.``). In a release, a boundary that would cut an
annotated span is removed (counted in the card as ``sentence_merges``); on raw text there is no
span to protect. Offsets are Unicode code points: ``text[start:end]`` is the token.
"""

from __future__ import annotations

from akhbar.corpus.release.segment import segment
from akhbar.corpus.release.segment import tokenize as _token_bounds

__all__ = ["RULES", "sentence_spans", "sentences", "token_spans", "tokenize"]

# Named and versioned, recorded in every release's manifest and card.
RULES = "akhbar-tokenizer/1: letter runs (clitics attached), digit runs, single punctuation"


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of every token of ``text``."""
    starts, ends = _token_bounds(text)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def tokenize(text: str) -> list[str]:
    """The tokens of ``text``."""
    return [text[a:b] for a, b in token_spans(text)]


def sentence_spans(text: str) -> list[list[tuple[int, int]]]:
    """The token spans of ``text``, grouped by sentence."""
    seg = segment(text)
    spans = list(zip(seg.starts.tolist(), seg.ends.tolist(), strict=True))
    return [spans[a:b] for a, b in seg.sentence_token_ranges()]


def sentences(text: str) -> list[list[str]]:
    """The tokens of ``text``, one list per sentence."""
    return [[text[a:b] for a, b in sent] for sent in sentence_spans(text)]
