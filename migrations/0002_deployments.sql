-- Deployments: each Worker's immutable versions, the history of what served when, and the code of removed
-- versions waiting out the grace period before its KV key is deleted (src/lib/server/versions/).

-- The backend script id of each Worker name: fixed by the name's first upload (concurrent first uploads
-- agree on it through this row), new after a delete, so a re-created Worker never reuses a deleted one's keys.
CREATE TABLE worker_scripts (
	name TEXT PRIMARY KEY,
	script_id TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

-- One row per version. Numbers are allocated by the INSERT that adds the row (MAX + 1 in one statement,
-- which D1 runs alone), so concurrent uploads get distinct numbers with no gaps.
CREATE TABLE worker_versions (
	script_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	compatibility_date TEXT NOT NULL,
	message TEXT,
	author TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (script_id, version)
);

-- Every change of the serving version: an upload that deploys, a deploy of an uploaded version, a rollback.
CREATE TABLE worker_deployments (
	script_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	version INTEGER NOT NULL,
	kind TEXT NOT NULL,
	author TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (script_id, seq)
);

-- KV keys of code no version points at any more, deleted once remove_after (ms since epoch) has passed:
-- a request that read a record naming that version just before it went may still be loading its code.
CREATE TABLE retired_code (
	kv_key TEXT PRIMARY KEY,
	remove_after INTEGER NOT NULL
);
CREATE INDEX retired_code_due ON retired_code (remove_after);
