-- Customers' own domains attached to Workers. The dispatcher reads hostname -> Worker from KV
-- (`host:<hostname>`); this table is the control plane's record: who may change it, and its status
-- with the provider (Cloudflare for SaaS custom hostnames; local hostnames are active at once).
CREATE TABLE hostnames (
	hostname TEXT PRIMARY KEY,
	worker_name TEXT NOT NULL,
	-- The Worker's owner when it was attached (NULL: the operator); follows the Worker's ownership.
	customer_id TEXT REFERENCES customers (id) ON DELETE CASCADE,
	-- The provider's id for it (Cloudflare's custom hostname id), if any.
	provider_id TEXT,
	-- pending | active | failed (as the provider reports it)
	status TEXT NOT NULL,
	-- JSON: the DNS records the customer must create to prove the domain is theirs, while pending.
	verification TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX hostnames_by_worker ON hostnames (worker_name);
