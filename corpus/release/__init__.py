"""Release steps of the corpus stage."""
