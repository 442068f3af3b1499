"""Readers steps of the corpus stage."""
