"""The figures: every §3 metric defined once in SQL (``metrics``), and what is built on them — red/amber/green
(``rag``), 需要关注 flags (``anomalies``), indicators (``indicators``, ``assessment``), the company table
(``scorecard``), record lists (``records``), one company against the group (``profile``), accidents
(``accidents``)."""
