"""Reading CoNLL/IOB files, including nested multi-tag lines such as Wojood's.

A line is a token followed by one or more IOB tags (``فلسطين I-ORG I-ORG B-GPE``); a blank line
ends a sentence. Each sentence becomes one article whose text is its tokens joined by single
spaces, so every token has exact code-point offsets, and one annotated document holding every
entity, nested ones included.

Rules for tokens that cannot be read as plain words:
- ``$#$`` (Wojood's separator) and ``#ERROR!`` (a spreadsheet artefact) are kept verbatim as
  tokens and counted; they carry the tag ``O`` in the data, so keeping them changes no entity.
- The text is stored exactly as the tokens are written: no cleaning, no Unicode normalisation,
  because the annotations index into it. A token containing whitespace cannot be joined
  losslessly and is refused with its line number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from akhbar.corpus.errors import InputError

SPECIAL_TOKENS = ("$#$", "#ERROR!")


@dataclass(slots=True)
class Span:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    label: str


@dataclass(slots=True)
class Sentence:
    index: int  # 0-based position in the file
    line: int  # 1-based line number of its first token
    tokens: list[str]
    tags: list[list[str]]  # per token, its IOB tags as written ("O" alone when outside)
    spans: list[Span] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def token_offsets(self) -> list[tuple[int, int]]:
        out, pos = [], 0
        for tok in self.tokens:
            out.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        return out


def decode_nested(tags: list[list[str]]) -> list[Span]:
    """Turn per-token tag lists into entity spans, nested ones included.

    For each type, ``B-X`` opens a new span and each ``I-X`` keeps one open span of that type
    going. When a token has k ``I-X`` tags, the k spans of type X opened earliest continue:
    nested spans of one type lie inside each other, so the outer ones outlive the inner ones.
    An ``I-X`` with no open span of its type starts one (a lenient reading of broken IOB), and is
    reported by :func:`iob_repairs`.
    """
    open_spans: dict[str, list[Span]] = {}
    done: list[Span] = []
    for i, token_tags in enumerate(tags):
        begins: Counter[str] = Counter()
        inside: Counter[str] = Counter()
        for tag in token_tags:
            if tag == "O":
                continue
            prefix, _, label = tag.partition("-")
            (begins if prefix == "B" else inside)[label] += 1
        for label in set(open_spans) | set(inside):
            spans = open_spans.get(label, [])
            keep = inside.get(label, 0)
            spans.sort(key=lambda s: s.start)
            for s in spans[keep:]:
                s.end = i
                done.append(s)
            kept = spans[:keep]
            kept += [Span(i, -1, label) for _ in range(keep - len(kept))]
            open_spans[label] = kept
        for label, n in begins.items():
            open_spans.setdefault(label, []).extend(Span(i, -1, label) for _ in range(n))
    for spans in open_spans.values():
        for s in spans:
            s.end = len(tags)
            done.append(s)
    done.sort(key=lambda s: (s.start, -s.end, s.label))
    return done


def iob_repairs(tags: list[list[str]]) -> int:
    """How many ``I-X`` tags continue no open span of type X (read leniently as ``B-X``)."""
    repairs = 0
    prev: Counter[str] = Counter()
    for token_tags in tags:
        cur: Counter[str] = Counter()
        inside: Counter[str] = Counter()
        for tag in token_tags:
            if tag != "O":
                prefix, _, label = tag.partition("-")
                cur[label] += 1
                if prefix == "I":
                    inside[label] += 1
        repairs += sum(max(0, n - prev[label]) for label, n in inside.items())
        prev = cur
    return repairs


def read_conll(path: str | Path) -> Iterator[Sentence]:
    """Yield the sentences of a CoNLL file; a malformed line is an InputError naming it."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{p}: cannot read as UTF-8 CoNLL ({e})") from e
    tokens: list[str] = []
    tags: list[list[str]] = []
    first_line = 0
    index = 0
    for n, raw in enumerate([*lines, ""], start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if tokens:
                s = Sentence(index, first_line, tokens, tags)
                s.spans = decode_nested(tags)
                yield s
                index += 1
            tokens, tags = [], []
            continue
        parts = line.split()
        if len(parts) < 2:
            raise InputError(f"{p}:{n}: expected a token and at least one tag, got {line!r}")
        bad = [t for t in parts[1:] if t != "O" and (t[:2] not in ("B-", "I-") or len(t) < 3)]
        if bad:
            raise InputError(f"{p}:{n}: not an IOB tag: {bad[0]!r} (expected O, B-TYPE or I-TYPE)")
        if not tokens:
            first_line = n
        tokens.append(parts[0])
        tags.append(parts[1:])
