"""What every stage runs on, whatever layer it is in: the one executor (``executor``: in
process or a local pool; ``executor_ray``: a Ray cluster) and the one atomic publish helper
(``publish``: outputs written to a temporary sibling, flushed, renamed, under a lock)."""
