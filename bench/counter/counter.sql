-- One registration's share of the county's counter: lock the row, write a row, commit.
BEGIN;
UPDATE bench_counter SET last = last + 1 WHERE id = 1;
INSERT INTO bench_row (n) VALUES (1);
COMMIT;
