"""The corpus stage: reading raw articles, cleaning, de-duplication, the store and releases.

This package knows nothing of Label Studio; it only reads and writes files that the JSON Schemas
in ``schemas/`` describe.
"""

__version__ = "0.1.0"
