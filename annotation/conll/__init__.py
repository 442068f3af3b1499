"""Existing CoNLL/IOB corpora: read (``reader``, nested multi-tag lines too) and imported as a
corpus store plus annotated documents (``importer``, ``annotate import-conll``)."""
