-- Bulk changes the gateway runs for people: a planned CSV file's batches,
-- each sent with the credential of whoever started or last resumed the
-- run (held in the gateway's memory only, never here). Several gateways on
-- one PostgreSQL share them; a lease says which one is sending a run's
-- batches, so each batch is sent by one gateway.
CREATE TABLE runs (
    id BIGINT PRIMARY KEY,
    provider TEXT NOT NULL,
    environment TEXT NOT NULL,
    author TEXT NOT NULL,
    runner TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    state TEXT NOT NULL,
    reason TEXT,
    last_error TEXT,
    operations TEXT NOT NULL,
    batch_count BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    busy_ms BIGINT NOT NULL DEFAULT 0,
    reverts BIGINT,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_environment ON runs (provider, environment, created_ms DESC);
CREATE INDEX runs_open ON runs (state, lease_until_ms);
-- The history scopes of the numbers a run touches: a reader sees a run
-- only if they may see every one.
CREATE TABLE run_scopes (
    run_id BIGINT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (run_id, scope)
);
-- The files, tens of megabytes, in a table of their own, and each
-- batch's file after its other columns: SQLite reads a row's columns in
-- order, through every page of a large value before them.
CREATE TABLE run_files (
    run_id BIGINT PRIMARY KEY,
    backup TEXT NOT NULL,
    revert TEXT NOT NULL
);
CREATE TABLE run_batches (
    run_id BIGINT NOT NULL,
    k BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    operations TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    sent_by TEXT,
    updated_ms BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, k)
);
