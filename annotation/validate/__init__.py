"""``akhbar annotate validate``: a snapshot or documents -> checked documents, quarantine and a
report. ``run`` is the entry point; ``tasks`` checks one task, ``pieces`` a run of them in a
worker, ``merge`` puts pieces together in order, ``documents`` reads documents as input,
``report`` prints the result."""
