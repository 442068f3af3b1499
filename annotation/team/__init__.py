"""Several annotators on one task: each one's version (``annotator_versions``), agreement
(``agreement``, ``measures``, ``intervals``, ``report``; ``run`` is ``annotate agreement``),
adjudication (``adjudicate``) and a teammate's annotations posted as them (``teammates``)."""
