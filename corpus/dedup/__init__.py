"""Dedup steps of the corpus stage."""
