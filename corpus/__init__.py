"""akhbar.corpus: raw articles -> cleaned, de-duplicated corpus store -> released datasets;
the store API (with ``store.text_digest``, the one digest of an article's text);
``file_digest.sha256_file``, the one digest of a file; and in ``runtime/`` the machinery
every stage runs on (executor, publish).
May import akhbar.schemas only (never akhbar.annotation, akhbar.cli or Label Studio)."""

__version__ = "0.1.0"
