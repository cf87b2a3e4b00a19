-- Customers of the platform, their API tokens and browser sessions, and who owns each Worker.
-- Identities live in D1 (strongly consistent: a revoked token stops working on the next request); the
-- dispatcher's name -> record lookup stays in KV and needs none of this.

CREATE TABLE customers (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	-- The plan: limits set per customer, defaults from the platform's configuration.
	max_workers INTEGER NOT NULL,
	max_script_bytes INTEGER NOT NULL,
	cpu_ms INTEGER NOT NULL,
	sub_requests INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- API tokens: only a SHA-256 of each token is stored.
CREATE TABLE tokens (
	id TEXT PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	label TEXT NOT NULL,
	hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	last_used_at TEXT
);
CREATE INDEX tokens_by_customer ON tokens (customer_id);

-- Browser sessions: the cookie holds a random id, this table its SHA-256. Signing out deletes the row;
-- revoking the token a customer signed in with, or deleting the customer, deletes it too.
CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	-- NULL for the operator (signed in with the admin token).
	customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
	token_id TEXT REFERENCES tokens (id) ON DELETE CASCADE,
	-- Operator sessions: a fingerprint of the admin token they were opened with (rotating it ends them).
	admin_key TEXT,
	created_at TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_customer ON sessions (customer_id);

-- Who owns each Worker name (NULL: the operator). Names are global; the first owner keeps a name.
CREATE TABLE workers (
	name TEXT PRIMARY KEY,
	customer_id TEXT REFERENCES customers (id),
	created_at TEXT NOT NULL
);
CREATE INDEX workers_by_customer ON workers (customer_id, name);
