"""``akhbar annotate push``: a corpus into a Label Studio project as tasks, idempotent and
resumable (``corpus_push``), sent in batches (``task_batches``), remembered in a ledger
(``ledger``), with pre-annotations checked before import (``preannotations``)."""
