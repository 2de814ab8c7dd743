-- Rollout plans: one router of one OCP environment moved a step at a time
-- by the gateway itself, under the environment's automation account.
-- Several gateways on one PostgreSQL share them; a lease says which one is
-- running a plan's step, so each step runs once.
CREATE TABLE schedules (
    id BIGINT PRIMARY KEY,
    provider TEXT NOT NULL,
    environment TEXT NOT NULL,
    router_id TEXT NOT NULL,
    number TEXT NOT NULL,
    author TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    interval_ms BIGINT NOT NULL,
    time_window TEXT,
    zone TEXT NOT NULL,
    ending TEXT NOT NULL,
    expected TEXT NOT NULL,
    next_at_ms BIGINT NOT NULL,
    last_step_ms BIGINT,
    last_result TEXT,
    steps_done BIGINT NOT NULL DEFAULT 0,
    failures BIGINT NOT NULL DEFAULT 0,
    scope TEXT NOT NULL,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (state, next_at_ms);
CREATE INDEX schedules_environment ON schedules (provider, environment, created_ms DESC);
-- One open plan a router.
CREATE UNIQUE INDEX schedules_open_router ON schedules (provider, environment, router_id)
    WHERE state IN ('scheduled', 'running', 'paused');
