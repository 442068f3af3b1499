"""akhbar.corpus: raw articles -> cleaned, de-duplicated corpus store -> released datasets;
also the shared machinery every stage runs on (executor, atomic publish, store API).
May import akhbar.schemas only (never akhbar.annotation, akhbar.cli or Label Studio)."""

__version__ = "0.1.0"
