"""``akhbar annotate audit``: errors a single annotator makes consistently, found by comparing
each annotation with the rest of the corpus (``keys``: what counts as the same string;
``findings``: the checks and their scores; ``model_check``: a suggestion model's confident
disagreements; ``inputs``: documents, snapshots and releases; ``report``; ``run``)."""
