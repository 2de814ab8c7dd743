-- Change requests: a change an environment's review policy gates, frozen
-- (a file's text and the rows left out, or one call, hashed) until someone
-- other than its author approves it; applied once (a file as a run).
-- Several gateways on one PostgreSQL share them; a request moves from
-- approved to applied by one conditional update, so it is applied once.
CREATE TABLE change_requests (
    id BIGINT PRIMARY KEY,
    provider TEXT NOT NULL,
    environment TEXT NOT NULL,
    author TEXT NOT NULL,
    author_id TEXT NOT NULL,
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    rule TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    file_name TEXT NOT NULL,
    left_out TEXT NOT NULL,
    operations TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    groups TEXT NOT NULL,
    diff TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    note TEXT,
    run_id BIGINT,
    applied_by TEXT,
    -- A call request: the call, sent as it is once approved.
    call_method TEXT,
    call_path TEXT,
    call_body TEXT
);
CREATE INDEX change_requests_environment ON change_requests (provider, environment, created_ms DESC);
-- The file and the state of what it changes when the request was made
-- (what Apply compares the provider with), apart from the rows listed.
CREATE TABLE change_request_files (
    request_id BIGINT PRIMARY KEY,
    text TEXT NOT NULL,
    backup TEXT NOT NULL
);
-- Each approval, decline and comment, in order.
CREATE TABLE change_request_events (
    request_id BIGINT NOT NULL,
    k BIGINT NOT NULL,
    kind TEXT NOT NULL,
    by_id TEXT NOT NULL,
    by_name TEXT NOT NULL,
    text TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    stale BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, k)
);
