"""akhbar.annotation: everything between a corpus and annotated documents, in rooms by role.

- ``labelstudio/``: all that knows Label Studio: its venv and server (``server``), the SDK and
  one call policy (``calls``, ``client``, ``team_calls``), the labelling config, reading its
  exports (``export_reader``: the one reader, for validation, agreement and adjudication),
  its results checked (``result_checks``: the one checker, for validation and for push's
  pre-annotations) and converted
  (``convert``), documents written back as results (``to_results``).
- ``push/``: corpus -> tasks, idempotent (``corpus_push``, ``task_batches``, ``ledger``) with
  checked pre-annotations (``preannotations``).
- ``pull.py``: a project's export -> an immutable snapshot.
- ``validate/``: a snapshot or documents -> checked documents, quarantine and report
  (``run`` is ``annotate validate``; ``tasks``, ``pieces``, ``merge``, ``documents``, ``report``).
- ``team/``: several annotators: their versions, agreement (``agreement``, ``measures``,
  ``intervals``, ``report``, ``run``), adjudication, teammates' annotations posted as them.
- ``conll/``: existing CoNLL/IOB corpora read (``reader``) and imported (``importer``).
- ``suggest/``: suggestions: a CRF tagger trained on a release (``train``), predictions as
  checked documents for ``push --predictions`` (``predict``), their scores and the edits they
  save (``evaluate``, ``metrics``); no Label Studio (it reads releases and corpus stores only,
  and ``validate``'s reader of documents).
- ``audit/``: a corpus-wide consistency audit of documents, a snapshot or a release: likely
  errors ranked with their evidence (``run`` is ``annotate audit``; ``keys``, ``findings``,
  ``model_check`` with a ``suggest`` model, ``inputs``, ``report``); no Label Studio.

Rooms import downwards: ``team`` and ``push`` use ``validate`` and ``labelstudio``;
``labelstudio`` uses only ``akhbar.schemas`` and ``akhbar.corpus``.
May import akhbar.schemas and akhbar.corpus (never akhbar.cli)."""
