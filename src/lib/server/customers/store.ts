// The customers' tables in D1 (migrations/0001_customers.sql): customers and their plans, API tokens (as
// hashes), browser sessions (as hashes) and who owns each Worker name; and each Worker's tags
// (migrations/0003_script_tags.sql). SQL lives here and nowhere else.

export interface Plan {
	maxWorkers: number;
	maxScriptBytes: number;
	/** Bytes of static assets the customer may store, all its Workers' versions together (each file counted once). */
	maxAssetBytes: number;
	cpuMs: number;
	subRequests: number;
}

export interface Customer {
	id: string;
	name: string;
	plan: Plan;
	createdAt: string;
	updatedAt: string;
}

export interface TokenInfo {
	id: string;
	customerId: string;
	label: string;
	createdAt: string;
	lastUsedAt: string | null;
}

/** What a presented credential resolves to. `customer` is null for the operator (admin sessions). */
export interface CredentialOwner {
	customer: Customer | null;
	tokenId: string | null;
	/** Sessions of the operator: the fingerprint of the admin token they were opened with. */
	adminKey: string | null;
}

interface CustomerRow {
	id: string;
	name: string;
	max_workers: number;
	max_script_bytes: number;
	max_asset_bytes: number;
	cpu_ms: number;
	sub_requests: number;
	created_at: string;
	updated_at: string;
}

interface TokenRow {
	id: string;
	customer_id: string;
	label: string;
	created_at: string;
	last_used_at: string | null;
}

const customerOf = (row: CustomerRow): Customer => ({
	id: row.id,
	name: row.name,
	plan: {
		maxWorkers: row.max_workers,
		maxScriptBytes: row.max_script_bytes,
		maxAssetBytes: row.max_asset_bytes,
		cpuMs: row.cpu_ms,
		subRequests: row.sub_requests
	},
	createdAt: row.created_at,
	updatedAt: row.updated_at
});

const tokenOf = (row: TokenRow): TokenInfo => ({
	id: row.id,
	customerId: row.customer_id,
	label: row.label,
	createdAt: row.created_at,
	lastUsedAt: row.last_used_at
});

/** How often a token's last-used time is written (reads in between leave it as it is). */
const LAST_USED_RESOLUTION_MS = 60_000;

export class CustomerStore {
	constructor(private readonly db: D1Database) {}

	// Customers

	async insertCustomer(customer: Customer): Promise<void> {
		const { plan } = customer;
		await this.db
			.prepare(
				`INSERT INTO customers (id, name, max_workers, max_script_bytes, max_asset_bytes, cpu_ms, sub_requests, created_at, updated_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
			)
			.bind(
				customer.id,
				customer.name,
				plan.maxWorkers,
				plan.maxScriptBytes,
				plan.maxAssetBytes,
				plan.cpuMs,
				plan.subRequests,
				customer.createdAt,
				customer.updatedAt
			)
			.run();
	}

	async customer(id: string): Promise<Customer | null> {
		const row = await this.db.prepare('SELECT * FROM customers WHERE id = ?').bind(id).first<CustomerRow>();
		return row ? customerOf(row) : null;
	}

	/** Customers oldest first, each with how many Workers it owns; `after` is the last id of the previous page. */
	async customers(after: string | null, limit: number): Promise<(Customer & { workers: number })[]> {
		const { results } = await this.db
			.prepare(
				`SELECT c.*, (SELECT COUNT(*) FROM workers w WHERE w.customer_id = c.id) AS workers
				 FROM customers c WHERE c.id > ? ORDER BY c.id LIMIT ?`
			)
			.bind(after ?? '', limit)
			.all<CustomerRow & { workers: number }>();
		return results.map((row) => ({ ...customerOf(row), workers: row.workers }));
	}

	async updateCustomer(customer: Customer): Promise<void> {
		const { plan } = customer;
		await this.db
			.prepare(
				`UPDATE customers SET name = ?, max_workers = ?, max_script_bytes = ?, max_asset_bytes = ?, cpu_ms = ?, sub_requests = ?, updated_at = ?
				 WHERE id = ?`
			)
			.bind(customer.name, plan.maxWorkers, plan.maxScriptBytes, plan.maxAssetBytes, plan.cpuMs, plan.subRequests, customer.updatedAt, customer.id)
			.run();
	}

	/** Deletes the customer with its tokens and sessions (ON DELETE CASCADE); its Workers must be gone. */
	async deleteCustomer(id: string): Promise<void> {
		await this.db.prepare('DELETE FROM customers WHERE id = ?').bind(id).run();
	}

	// Tokens

	async insertToken(token: TokenInfo, hash: string): Promise<void> {
		await this.db
			.prepare('INSERT INTO tokens (id, customer_id, label, hash, created_at) VALUES (?, ?, ?, ?, ?)')
			.bind(token.id, token.customerId, token.label, hash, token.createdAt)
			.run();
	}

	async tokens(customerId: string): Promise<TokenInfo[]> {
		const { results } = await this.db
			.prepare('SELECT id, customer_id, label, created_at, last_used_at FROM tokens WHERE customer_id = ? ORDER BY created_at, id')
			.bind(customerId)
			.all<TokenRow>();
		return results.map(tokenOf);
	}

	async token(id: string): Promise<TokenInfo | null> {
		const row = await this.db
			.prepare('SELECT id, customer_id, label, created_at, last_used_at FROM tokens WHERE id = ?')
			.bind(id)
			.first<TokenRow>();
		return row ? tokenOf(row) : null;
	}

	/** Deletes the token and every session opened with it (ON DELETE CASCADE). */
	async deleteToken(id: string): Promise<void> {
		await this.db.prepare('DELETE FROM tokens WHERE id = ?').bind(id).run();
	}

	/** The customer whose token has this hash (one indexed read), noting when it was last used. */
	async ownerOfTokenHash(hash: string, now = new Date()): Promise<CredentialOwner | null> {
		const row = await this.db
			.prepare(
				`SELECT c.*, t.id AS token_id, t.last_used_at AS token_last_used
				 FROM tokens t JOIN customers c ON c.id = t.customer_id WHERE t.hash = ?`
			)
			.bind(hash)
			.first<CustomerRow & { token_id: string; token_last_used: string | null }>();
		if (!row) return null;
		const stale = !row.token_last_used || Date.parse(row.token_last_used) < now.getTime() - LAST_USED_RESOLUTION_MS;
		if (stale) await this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').bind(now.toISOString(), row.token_id).run();
		return { customer: customerOf(row), tokenId: row.token_id, adminKey: null };
	}

	// Sessions

	async insertSession(
		hash: string,
		owner: { customerId: string | null; tokenId: string | null; adminKey: string | null },
		expiresAt: number,
		now = new Date()
	): Promise<void> {
		await this.db
			.prepare('INSERT INTO sessions (id_hash, customer_id, token_id, admin_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
			.bind(hash, owner.customerId, owner.tokenId, owner.adminKey, now.toISOString(), expiresAt)
			.run();
	}

	/** The owner of an unexpired session (one indexed read). */
	async ownerOfSessionHash(hash: string, now = Date.now()): Promise<CredentialOwner | null> {
		const row = await this.db
			.prepare(
				`SELECT s.customer_id AS session_customer, s.token_id, s.admin_key, c.*
				 FROM sessions s LEFT JOIN customers c ON c.id = s.customer_id
				 WHERE s.id_hash = ? AND s.expires_at > ?`
			)
			.bind(hash, Math.floor(now / 1000))
			.first<Partial<CustomerRow> & { session_customer: string | null; token_id: string | null; admin_key: string | null }>();
		if (!row) return null;
		const customer = row.session_customer ? customerOf(row as CustomerRow) : null;
		return { customer, tokenId: row.token_id, adminKey: row.admin_key };
	}

	async deleteSession(hash: string): Promise<void> {
		await this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').bind(hash).run();
	}

	/** Ends every session of one customer, or of the operator (`customerId` null); and expired ones. */
	async deleteSessionsOf(customerId: string | null, now = Date.now()): Promise<void> {
		await this.db
			.prepare('DELETE FROM sessions WHERE customer_id IS ? OR expires_at <= ?')
			.bind(customerId, Math.floor(now / 1000))
			.run();
	}

	// Worker owners

	/** The owner of a Worker name: a customer id, null for the operator, undefined when no one has it. */
	async ownerOfWorker(name: string): Promise<string | null | undefined> {
		const row = await this.db.prepare('SELECT customer_id FROM workers WHERE name = ?').bind(name).first<{ customer_id: string | null }>();
		return row ? row.customer_id : undefined;
	}

	/**
	 * Claims `name` for `customerId` (null: the operator) unless someone has it, and, for a customer, only
	 * while it owns fewer than `maxWorkers` Workers: one statement, so concurrent claims cannot both win
	 * or overshoot the plan. Returns whether this call claimed it.
	 */
	async claimWorker(name: string, customerId: string | null, maxWorkers: number | null, now = new Date()): Promise<boolean> {
		const result = await this.db
			.prepare(
				`INSERT INTO workers (name, customer_id, created_at)
				 SELECT ?1, ?2, ?3 WHERE ?4 IS NULL OR (SELECT COUNT(*) FROM workers WHERE customer_id = ?2) < ?4
				 ON CONFLICT (name) DO NOTHING`
			)
			.bind(name, customerId, now.toISOString(), maxWorkers)
			.run();
		return result.meta.changes === 1;
	}

	async releaseWorker(name: string): Promise<void> {
		await this.db.prepare('DELETE FROM workers WHERE name = ?').bind(name).run();
	}

	async workerCount(customerId: string): Promise<number> {
		const row = await this.db.prepare('SELECT COUNT(*) AS n FROM workers WHERE customer_id = ?').bind(customerId).first<{ n: number }>();
		return row?.n ?? 0;
	}

	/** The names a customer owns, in name order, after `after`. */
	async workerNames(customerId: string, after: string | null, limit: number): Promise<string[]> {
		const { results } = await this.db
			.prepare('SELECT name FROM workers WHERE customer_id = ? AND name > ? ORDER BY name LIMIT ?')
			.bind(customerId, after ?? '', limit)
			.all<{ name: string }>();
		return results.map((row) => row.name);
	}

	// Script tags (migrations/0003_script_tags.sql): they go with the Worker's row (ON DELETE CASCADE).

	/** Replaces the tags of `name`, which must have an owner row. */
	async setWorkerTags(name: string, tags: string[]): Promise<void> {
		await this.db.batch([
			this.db.prepare('DELETE FROM script_tags WHERE name = ?').bind(name),
			...tags.map((tag) => this.db.prepare('INSERT INTO script_tags (name, tag) VALUES (?, ?)').bind(name, tag))
		]);
	}

	/** The tags of each of `names` (one query, whatever their number), in tag order. */
	async workerTags(names: string[]): Promise<Map<string, string[]>> {
		const tags = new Map(names.map((name) => [name, [] as string[]]));
		if (names.length === 0) return tags;
		const { results } = await this.db
			.prepare('SELECT name, tag FROM script_tags WHERE name IN (SELECT value FROM json_each(?)) ORDER BY name, tag')
			.bind(JSON.stringify(names))
			.all<{ name: string; tag: string }>();
		for (const row of results) tags.get(row.name)?.push(row.tag);
		return tags;
	}
}
