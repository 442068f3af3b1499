"""akhbar.annotation: Label Studio (server, client, config, push, pull), validation of exports
and documents, agreement and adjudication.
May import akhbar.schemas and akhbar.corpus (never akhbar.cli)."""
