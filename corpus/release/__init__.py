"""Releases: a corpus store and validated documents -> versioned Parquet datasets with card,
manifest, Croissant and changelog; verify and load.
Part of akhbar.corpus; may import akhbar.corpus and akhbar.schemas."""
