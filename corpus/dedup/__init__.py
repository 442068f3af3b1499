"""Exact and near-duplicate detection (xxh3 keys, vectorised MinHash + LSH) and clustering.
Part of akhbar.corpus; may import akhbar.corpus and akhbar.schemas."""
