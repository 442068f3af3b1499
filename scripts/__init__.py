"""akhbar.cli: the ``akhbar`` command line and the demo: parse options, call one library entry
point, print; errors become one line and an exit code.
May import every akhbar package (nothing imports it)."""
