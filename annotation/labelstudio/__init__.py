"""Label Studio itself: its venv and local server, the SDK client and its one call policy, the
labelling config generated from a taxonomy, export reading, results checked, converted to
documents and written back from them. Imports only akhbar.schemas and akhbar.corpus."""
