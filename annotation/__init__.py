"""The annotation stage: taxonomy, Label Studio config and client, export conversion, validation."""
