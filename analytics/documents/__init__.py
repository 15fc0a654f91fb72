"""The documents that leave the meeting room: the 通报 (``bulletin``), Excel exports (``exports``) and the
ledger templates (``templates``)."""
