-- Each Worker's recent log entries (src/lib/server/logs/store.ts): console lines, uncaught exceptions and
-- one line per request, keyed by the Worker's script id (a new Worker under an old name starts empty).
-- Bounded per Worker by count and age (LOGS_MAX_ENTRIES, LOGS_MAX_AGE_HOURS): each write prunes.
CREATE TABLE worker_logs (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	script_id TEXT NOT NULL,
	time INTEGER NOT NULL,
	request_id TEXT,
	kind TEXT NOT NULL,
	level INTEGER NOT NULL,
	message TEXT NOT NULL,
	request TEXT
);
CREATE INDEX worker_logs_by_script ON worker_logs (script_id, id);

-- Per Worker per minute: requests, errors (5xx and exceptions), CPU ms, and wall time in fixed buckets
-- (upper bounds in LATENCY_BUCKETS_MS, src/lib/server/logs/store.ts) for the p50 / p99. Kept 24 hours.
CREATE TABLE worker_metrics (
	script_id TEXT NOT NULL,
	minute INTEGER NOT NULL,
	requests INTEGER NOT NULL DEFAULT 0,
	errors INTEGER NOT NULL DEFAULT 0,
	cpu_ms INTEGER NOT NULL DEFAULT 0,
	wall_buckets TEXT NOT NULL,
	PRIMARY KEY (script_id, minute)
);
CREATE INDEX worker_metrics_by_minute ON worker_metrics (minute);
