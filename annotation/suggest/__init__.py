"""akhbar.annotation.suggest: suggestions (pre-annotations) learned from the corpus's own
releases.

A CRF sequence tagger is trained on a release's ``ner`` config (:mod:`.train`), predicts
annotated documents for articles not yet annotated (:mod:`.predict`), and is measured against a
release's gold spans, with the edits an annotator saves (:mod:`.evaluate`). Its features
(:mod:`.features`) draw on the release's own entity strings (:mod:`.gazetteer`) and on word
clusters learned from unannotated corpora (:mod:`.clusters`). Nothing here talks
to Label Studio: predictions reach annotators through ``annotate push --predictions``.

It lives in ``annotation/`` because what it makes are annotations (documents judged by the one
document check, pushed as Label Studio predictions); it reads releases and corpus stores from
``akhbar.corpus`` and the contract from ``akhbar.schemas``, and nothing above.
"""
