"""The ``akhbar`` command line and operational scripts: parse, call one library function, print."""
