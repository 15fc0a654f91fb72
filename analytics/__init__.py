"""Safety-ledger analytics engine (安全生产台账): ingest, storage, metrics. Never imports streamlit."""
