"""Imports of historical cases from the units' old ledgers (.xlsx/.csv), run as stats
jobs: the column layout (columns.py), streamed reading (reader.py), row validation
(rows.py), bulk writing (writer.py) and the job's run (run.py). docs/stats.md, "5.
Ledger imports"."""
