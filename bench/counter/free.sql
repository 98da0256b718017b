-- The same write with no shared row: PostgreSQL's own group commit can gather the flushes.
INSERT INTO bench_row (n) VALUES (1);
