-- The team's change history: one row per relayed change, and one row per
-- number, set, router, allocation or phone it touched (for "everything
-- that happened to +1 555 0100", newest first, read from one index).
-- Written in the SQL that SQLite and PostgreSQL share.
CREATE TABLE history_entries (
    id TEXT PRIMARY KEY,
    time_ms BIGINT NOT NULL,
    provider TEXT NOT NULL,
    environment TEXT NOT NULL,
    action TEXT NOT NULL,
    who TEXT NOT NULL,
    targets TEXT NOT NULL,
    status BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    code TEXT,
    message TEXT,
    duration_ms BIGINT NOT NULL,
    csv_run TEXT
);
CREATE INDEX history_entries_newest ON history_entries (provider, environment, time_ms DESC, id DESC);
CREATE INDEX history_entries_time ON history_entries (time_ms);

CREATE TABLE history_targets (
    entry_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    environment TEXT NOT NULL,
    target TEXT NOT NULL,
    time_ms BIGINT NOT NULL,
    PRIMARY KEY (entry_id, target)
);
CREATE INDEX history_targets_newest ON history_targets (provider, environment, target, time_ms DESC, entry_id DESC);
CREATE INDEX history_targets_time ON history_targets (time_ms);
