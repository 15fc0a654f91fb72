"""The ingest pipeline: a file's bytes → sheets → located header → staged records → checks → one batch.

One module a step — ``read`` (bytes → cells, in a capped child process), ``locate`` (header row, title lines,
the company a sheet names), ``stage`` with ``normalise`` (cells → typed records), ``check`` (cross-field
rules), ``load`` (one transaction per file; revert) — and ``pipeline`` runs them. ``issues`` holds the
reason codes and their Chinese texts; ``annotate`` writes a rejected workbook back with its bad cells marked.
"""
