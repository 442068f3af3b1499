"""Tokens, sentences and BIO tags of the ``ner`` config: offsets, numbers, punctuation, clitics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.corpus.release.align import is_proclitic, outermost, tag_entities
from akhbar.corpus.release.segment import segment, tokenize
from akhbar.schemas import taxonomy
from akhbar.schemas.taxonomy import load, parse

TAGS = load().ner_tags
GPE, PER, ORG = 2, 0, 1  # entity label indices in the default taxonomy


def tokens(text: str) -> list[str]:
    s, e = tokenize(text)
    return [text[a:b] for a, b in zip(s.tolist(), e.tolist(), strict=True)]


def sentences(text: str, protected=None) -> list[str]:
    seg = segment(text, protected)
    return [text[int(seg.starts[a]) : int(seg.ends[b - 1])] for a, b in seg.sentence_token_ranges()]


def tagged(text: str, entities: list[tuple[int, int, int]]):
    s, e = tokenize(text)
    t = tag_entities(text, s, e, entities, "art_x")
    pairs = [
        (text[a:b], TAGS[g])
        for a, b, g in zip(t.starts.tolist(), t.ends.tolist(), t.tags.tolist(), strict=True)
    ]
    return pairs, t.counts


def span(text: str, word: str, label: int, nth: int = 0) -> tuple[int, int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word), label


# --- tokenisation -------------------------------------------------------------------------------


def test_punctuation_is_split_off_and_numbers_stay_whole():
    text = "ارتفع السعر إلى 9.50 دولار، أي 1,200 ريال؟ نعم!"
    assert tokens(text) == [
        "ارتفع", "السعر", "إلى", "9.50", "دولار", "،", "أي", "1,200", "ريال", "؟", "نعم", "!",
    ]  # fmt: skip


def test_arabic_indic_digits_and_decimal_separator():
    assert tokens("بلغ ٣٫٥ مليون، و١٢ قتيلاً.") == [
        "بلغ", "٣٫٥", "مليون", "،", "و", "١٢", "قتيلاً", ".",
    ]  # fmt: skip


def test_diacritics_and_tatweel_stay_inside_the_word():
    assert tokens("قُتِلَ رجلٌ في عمّان الجـديدة") == ["قُتِلَ", "رجلٌ", "في", "عمّان", "الجـديدة"]


def test_quotes_and_brackets_are_tokens():
    assert tokens("قال «لن نتراجع» (اليوم)") == [
        "قال", "«", "لن", "نتراجع", "»", "(", "اليوم", ")",
    ]  # fmt: skip


arabic_text = st.text(
    alphabet=st.sampled_from(
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةىًٌٍَُِّْـ")
        + list("0123456789٠١٢٣٤٥٦٧٨٩")
        + list(' \n\t.,،؛؟!?…"«»()-:')
        + ["\u200c", "😀", "𝐀"]
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(arabic_text)
def test_offsets_always_slice_the_tokens(text):
    s, e = tokenize(text)
    assert np.all(s < e) and np.all(e[:-1] <= s[1:])
    covered = set()
    for a, b in zip(s.tolist(), e.tolist(), strict=True):
        tok = text[a:b]
        assert tok and not any(c.isspace() for c in tok)
        covered.update(range(a, b))
    # nothing but whitespace is left out of the tokens
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@settings(max_examples=200, deadline=None)
@given(arabic_text, st.data())
def test_sentences_partition_the_tokens_and_never_cut_a_protected_span(text, data):
    s, e = tokenize(text)
    protected = []
    if len(s) >= 2:
        i = data.draw(st.integers(0, len(s) - 2))
        j = data.draw(st.integers(i + 1, len(s) - 1))
        protected = [(int(s[i]), int(e[j]))]
    seg = segment(text, protected)
    ranges = seg.sentence_token_ranges()
    assert [r[0] for r in ranges[:1]] == ([0] if len(s) else [])
    assert all(a < b for a, b in ranges) and sum(b - a for a, b in ranges) == len(s)
    for ps, pe in protected:
        inside = [k for k in seg.sentence_starts.tolist() if ps < int(s[k]) < pe]
        assert inside == []


# --- sentences ----------------------------------------------------------------------------------


def test_sentence_ends_and_what_does_not_end_one():
    text = (
        "قال د. محمد إن السعر 9.50 دولار. هل تنجح المحادثات؟ نعم!! "
        "قال: «انتهى الأمر.» ثم غادر؛ وبقي الوفد\nسطر جديد"
    )
    assert sentences(text) == [
        "قال د. محمد إن السعر 9.50 دولار.",
        "هل تنجح المحادثات؟",
        "نعم!!",
        "قال: «انتهى الأمر.»",
        "ثم غادر؛",
        "وبقي الوفد",
        "سطر جديد",
    ]


def test_a_boundary_inside_an_entity_is_removed_and_counted():
    text = "زار الوفد شركة النور. للتجارة في جدة. ثم عاد."
    org = (text.index("شركة"), text.index("للتجارة") + len("للتجارة"))
    assert sentences(text, [org]) == ["زار الوفد شركة النور. للتجارة في جدة.", "ثم عاد."]
    assert segment(text, [org]).merged == 1


# --- the clitic policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("و", True), ("ب", True), ("وب", True), ("ال", True), ("وال", True), ("بال", True),
     ("لل", True), ("فلل", True), ("وَ", True), ("ك", True), ("با", False), ("س", False),
     ("ا", False), ("", False), ("بغ", False)],
)  # fmt: skip
def test_known_proclitics(prefix, expected):
    assert is_proclitic(prefix) is expected


def test_a_name_after_a_clitic_keeps_its_token_whole():
    # Tokens never depend on labels: the clitic stays attached and the entity is widened.
    text = "وصل الوفد وبغداد ولبنان."
    pairs, counts = tagged(text, [span(text, "بغداد", GPE), span(text, "لبنان", GPE)])
    assert pairs == [
        ("وصل", "O"), ("الوفد", "O"), ("وبغداد", "B-GPE"), ("ولبنان", "B-GPE"), (".", "O"),
    ]  # fmt: skip
    assert counts["ner_expanded_start"] == 2
    assert tokens(text) == [t for t, _ in pairs]


def test_definite_article_and_lil_stay_attached():
    text = "عاد إلى الخرطوم ثم سافر للقاهرة"
    pairs, counts = tagged(text, [span(text, "خرطوم", GPE), span(text, "قاهرة", GPE)])
    assert ("الخرطوم", "B-GPE") in pairs and ("للقاهرة", "B-GPE") in pairs
    assert counts["ner_expanded_start"] == 2


def test_a_multiword_entity_after_a_clitic():
    text = "نقلوا بسيارات الإسعاف"
    pairs, _ = tagged(text, [span(text, "سيارات الإسعاف", 6)])
    assert pairs == [("نقلوا", "O"), ("بسيارات", "B-VEH"), ("الإسعاف", "I-VEH")]


def test_a_boundary_after_something_else_widens_the_entity():
    text = "شارك نقابيون ودعت الأمم المتحدة"
    pairs, counts = tagged(
        text,
        [
            (text.index("نقابي"), text.index("نقابي") + 5, PER),  # ends inside نقابيون
            (text.index("لأمم"), text.index("المتحدة") + 7, ORG),  # starts after the alif
        ],
    )
    assert ("نقابيون", "B-PER") in pairs
    assert ("الأمم", "B-ORG") in pairs and ("المتحدة", "I-ORG") in pairs
    assert counts["ner_expanded_end"] == 1 and counts["ner_expanded_start"] == 1


def test_nested_entities_keep_the_outermost_and_count_the_rest():
    text = "قال المتحدث باسم وزارة الداخلية"
    outer = span(text, "المتحدث باسم وزارة الداخلية", PER)
    inner = span(text, "وزارة الداخلية", ORG)
    pairs, counts = tagged(text, [inner, outer])
    assert [t for _, t in pairs] == ["O", "B-PER", "I-PER", "I-PER", "I-PER"]
    assert counts["ner_nested_dropped"] == 1


def test_crossing_entities_keep_the_longest_then_the_earliest():
    starts, ends = [0, 5, 25, 25, 40], [10, 20, 30, 30, 45]
    kept, nested, crossing = outermost(starts, ends)
    assert kept.tolist() == [1, 2, 4] and crossing == [0] and nested == [3]


def test_two_entities_in_one_token_keep_the_first():
    text = "بغدادوالبصرة"  # a typo joined two names; the second cannot be tagged on its own
    pairs, counts = tagged(text, [(0, 5, GPE), (8, 12, GPE)])
    assert pairs == [("بغدادوالبصرة", "B-GPE")]
    assert counts["ner_expanded_end"] == 1 and counts["ner_conflict_dropped"] == 1


def test_whitespace_at_the_edge_of_a_span_is_trimmed():
    text = "في  بغداد  اليوم"
    pairs, counts = tagged(text, [(3, 10, GPE)])
    assert pairs == [("في", "O"), ("بغداد", "B-GPE"), ("اليوم", "O")]
    assert counts["ner_whitespace_trimmed"] == 2


# --- the taxonomy as data -----------------------------------------------------------------------


def test_release_labels_agree_with_the_annotation_taxonomy():
    for path in (None, taxonomy.TAXONOMY_DIR / "wojood.yaml"):
        t = taxonomy.load(path)
        labels = load(path)
        assert labels.sha256 == t.sha256
        assert (labels.name, labels.version) == (t.name, t.version)
        assert labels.entity_names == t.entity_names
        assert labels.event_names == t.event_names
        assert labels.role_names == t.role_names


def test_an_invalid_taxonomy_is_refused_with_its_place():
    from akhbar.schemas.errors import UsageError

    with pytest.raises(UsageError, match=r"taxonomy invalid at /entities"):
        parse({"name": "x", "version": "1.0.0", "language": "ar", "entities": [],
                      "roles": [], "events": []})  # fmt: skip
