"""``akhbar annotate push``: a corpus into a Label Studio project as tasks, idempotent and
resumable (``corpus_push``), deciding what is new by the store's text digests and reading
only the texts it sends (``articles``), sent in batches (``task_batches``), remembered in a ledger
(``ledger``), with pre-annotations checked before import (``preannotations``)."""
