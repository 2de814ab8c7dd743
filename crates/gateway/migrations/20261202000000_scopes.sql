-- Hardening: each entry keeps the scope the provider put it in (OCP groups,
-- an Exotel tenant, a Huawei project), so a reader sees only entries of
-- scopes their credential covers; the true count of what it touched (at
-- most 1,000 targets are kept); the client's address of a refused change;
-- and how many refused requests one counted entry stands for.
-- Entries written before this have no known scope: "unknown", which only a
-- reader of every group the gateway knows sees.
ALTER TABLE history_entries ADD COLUMN scope TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE history_entries ADD COLUMN target_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE history_entries ADD COLUMN client TEXT;
ALTER TABLE history_entries ADD COLUMN requests BIGINT NOT NULL DEFAULT 1;
ALTER TABLE history_targets ADD COLUMN scope TEXT NOT NULL DEFAULT 'unknown';

-- The scopes each environment has entries in (a handful): what a reader's
-- credential is checked against.
CREATE TABLE history_scopes (
    provider TEXT NOT NULL,
    environment TEXT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (provider, environment, scope)
);
INSERT INTO history_scopes (provider, environment, scope)
    SELECT DISTINCT provider, environment, scope FROM history_entries;
