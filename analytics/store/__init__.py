"""The store: the only way to the database (``db``), its migrations (``schema``) and the upload history
(``history``: batches, 报送情况)."""
