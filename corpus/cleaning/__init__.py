"""Cleaning steps of the corpus stage."""
