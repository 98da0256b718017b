-- The ledger counter's ceiling (issue 12, intake): every registration of a county takes the
-- same counter row's lock and keeps it until its commit is on disk (gapless numbers,
-- synchronous_commit on). See README.md.
DROP TABLE IF EXISTS bench_counter, bench_row;
CREATE TABLE bench_counter (id int PRIMARY KEY, last bigint NOT NULL);
INSERT INTO bench_counter VALUES (1, 0);
CREATE TABLE bench_row (id bigserial PRIMARY KEY, n bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
