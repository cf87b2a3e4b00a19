// Each Worker's immutable versions: their metadata and deployment history in D1 (migrations/0002), their
// modules in KV under a key per script id and version that is written once and never overwritten, so a
// request that read an older record still finds the code it names. Code that no version points at any more
// is deleted after a grace period (`retiredCodeGraceMs`), never at once.
import { InputError } from '../errors';
import { runnableOf } from '../modules/bundle';
import { singleModule, type ModuleSet, type RunnableWorker } from '../modules/kinds';

/** A version's modules as stored: the originals and, where it differs, each module's runnable form. */
export interface StoredModules extends ModuleSet {
	compiled: Record<string, string>;
}

/**
 * The KV metadata `format` of a version's value that is JSON StoredModules. A value without it is the
 * one ES module of a version stored before Workers had several modules (read as `worker.js`).
 */
const MODULES_FORMAT = 'modules/1';

export interface VersionInfo {
	version: number;
	sha256: string;
	size: number;
	compatibilityDate: string;
	/** What the uploader said about it (`--message`), or null. */
	message: string | null;
	/** Who uploaded it (describePrincipal). */
	author: string;
	createdAt: string;
}

export interface VersionPage {
	versions: VersionInfo[];
	/** Pass back for the next (older) page; null on the last page. */
	cursor: string | null;
}

export type DeploymentKind = 'upload' | 'deploy' | 'rollback';

export interface Deployment {
	seq: number;
	version: number;
	kind: DeploymentKind;
	author: string;
	createdAt: string;
}

export const VERSIONS_LIMIT_DEFAULT = 20;
export const VERSIONS_LIMIT_MAX = 100;
export const MESSAGE_MAX_CHARS = 500;

const CODE_KEY_PREFIX = 'code:';

/** The KV key of one version's modules. */
export const codeKey = (scriptId: string, version: number) => `${CODE_KEY_PREFIX}${scriptId}:${version}`;

interface VersionRow {
	version: number;
	sha256: string;
	size: number;
	compatibility_date: string;
	message: string | null;
	author: string;
	created_at: string;
}

const toInfo = (row: VersionRow): VersionInfo => ({
	version: row.version,
	sha256: row.sha256,
	size: row.size,
	compatibilityDate: row.compatibility_date,
	message: row.message,
	author: row.author,
	createdAt: row.created_at
});

const VERSION_COLUMNS = 'version, sha256, size, compatibility_date, message, author, created_at';

export class VersionStore {
	readonly #db: D1Database;
	readonly #kv: KVNamespace;
	readonly #graceMs: number;

	constructor(db: D1Database, kv: KVNamespace, options: { retiredCodeGraceMs: number }) {
		this.#db = db;
		this.#kv = kv;
		this.#graceMs = options.retiredCodeGraceMs;
	}

	/**
	 * Adds the next version of the Worker `name` with its code; `freshScriptId` becomes the Worker's script id
	 * when this upload creates it. One D1 batch (a transaction) fixes the script id and allocates the number
	 * in the INSERT that adds the row, so concurrent uploads agree on the script id and never share a number.
	 * The modules are written before this returns, so before any record can point at them.
	 */
	async create(
		name: string,
		freshScriptId: string,
		input: { modules: StoredModules; sha256: string; size: number; compatibilityDate: string; message: string | null; author: string }
	): Promise<{ scriptId: string; version: VersionInfo }> {
		const createdAt = new Date().toISOString();
		const [, inserted] = await this.#db.batch<VersionRow & { script_id: string }>([
			this.#db
				.prepare('INSERT INTO worker_scripts (name, script_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING')
				.bind(name, freshScriptId, createdAt),
			this.#db
				.prepare(
					`INSERT INTO worker_versions (script_id, version, sha256, size, compatibility_date, message, author, created_at)
					 SELECT s.script_id, COALESCE((SELECT MAX(v.version) FROM worker_versions v WHERE v.script_id = s.script_id), 0) + 1,
					        ?2, ?3, ?4, ?5, ?6, ?7
					 FROM worker_scripts s WHERE s.name = ?1
					 RETURNING script_id, ${VERSION_COLUMNS}`
				)
				.bind(name, input.sha256, input.size, input.compatibilityDate, input.message, input.author, createdAt)
		]);
		const row = inserted.results[0];
		const scriptId = row.script_id;
		const version = toInfo(row);
		try {
			const { mainModule, modules, compiled } = input.modules;
			await this.#kv.put(codeKey(scriptId, version.version), JSON.stringify({ mainModule, modules, compiled }), {
				metadata: { sha256: input.sha256, format: MODULES_FORMAT }
			});
		} catch (error) {
			await this.#db.prepare('DELETE FROM worker_versions WHERE script_id = ? AND version = ?').bind(scriptId, version.version).run();
			throw error;
		}
		return { scriptId, version };
	}

	async get(scriptId: string, version: number): Promise<VersionInfo | null> {
		const row = await this.#db
			.prepare(`SELECT ${VERSION_COLUMNS} FROM worker_versions WHERE script_id = ? AND version = ?`)
			.bind(scriptId, version)
			.first<VersionRow>();
		return row ? toInfo(row) : null;
	}

	/** The modules of a version; null once they have been removed. */
	async modules(scriptId: string, version: number): Promise<StoredModules | null> {
		const { value, metadata } = await this.#kv.getWithMetadata<{ format?: string }>(codeKey(scriptId, version));
		if (value === null) return null;
		if (metadata?.format === MODULES_FORMAT) return JSON.parse(value) as StoredModules;
		return { ...singleModule(value), compiled: {} };
	}

	/** A version as the backends run it; null once it has been removed. */
	async runnable(scriptId: string, version: number): Promise<RunnableWorker | null> {
		const stored = await this.modules(scriptId, version);
		return stored && runnableOf(stored, stored.compiled);
	}

	/** Newest first; `cursor` is the version number the previous page ended before. */
	async list(scriptId: string, { cursor, limit = VERSIONS_LIMIT_DEFAULT }: { cursor?: string; limit?: number } = {}): Promise<VersionPage> {
		let before = Number.MAX_SAFE_INTEGER;
		if (cursor) {
			before = Number(cursor);
			if (!Number.isInteger(before) || before < 1) throw new InputError('cursor', `cursor must be one this API returned, got ${JSON.stringify(cursor)}`);
		}
		const { results } = await this.#db
			.prepare(`SELECT ${VERSION_COLUMNS} FROM worker_versions WHERE script_id = ? AND version < ? ORDER BY version DESC LIMIT ?`)
			.bind(scriptId, before, limit + 1)
			.all<VersionRow>();
		const page = results.slice(0, limit).map(toInfo);
		return { versions: page, cursor: results.length > limit ? String(page.at(-1)!.version) : null };
	}

	/**
	 * Records that `version` serves from now on, and applies the retention (see prune) with it in one D1
	 * batch. Returns the deployment's number (1, 2, 3… per script).
	 */
	async recordDeployment(
		scriptId: string,
		version: number,
		kind: DeploymentKind,
		author: string,
		retention: { keep: number }
	): Promise<{ deployment: Deployment; pruned: number[] }> {
		const [recorded, ...pruning] = await this.#db.batch<{ seq: number; version: number; kind: DeploymentKind; author: string; created_at: string }>([
			this.#db
				.prepare(
					`INSERT INTO worker_deployments (script_id, seq, version, kind, author, created_at)
					 SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM worker_deployments WHERE script_id = ?1
					 RETURNING seq, version, kind, author, created_at`
				)
				.bind(scriptId, version, kind, author, new Date().toISOString()),
			...this.#pruneStatements(scriptId, retention.keep, [version])
		]);
		const row = recorded.results[0];
		return {
			deployment: { seq: row.seq, version: row.version, kind: row.kind, author: row.author, createdAt: row.created_at },
			pruned: pruning[1].results.map((r) => r.version)
		};
	}

	/** The latest deployments, newest first. */
	async deployments(scriptId: string, limit = VERSIONS_LIMIT_DEFAULT): Promise<Deployment[]> {
		const { results } = await this.#db
			.prepare('SELECT seq, version, kind, author, created_at FROM worker_deployments WHERE script_id = ? ORDER BY seq DESC LIMIT ?')
			.bind(scriptId, limit)
			.all<{ seq: number; version: number; kind: DeploymentKind; author: string; created_at: string }>();
		return results.map((r) => ({ seq: r.seq, version: r.version, kind: r.kind, author: r.author, createdAt: r.created_at }));
	}

	/**
	 * Keeps the newest `keep` versions of `scriptId` and those in `protect` (the serving one); the others'
	 * rows go now and their code after the grace period. Returns the numbers removed.
	 */
	async prune(scriptId: string, keep: number, protect: readonly number[]): Promise<number[]> {
		const [, removed] = await this.#db.batch<{ version: number }>(this.#pruneStatements(scriptId, keep, protect));
		return removed.results.map((r) => r.version);
	}

	/** Queues the pruned versions' code for removal, then deletes their rows (RETURNING version). */
	#pruneStatements(scriptId: string, keep: number, protect: readonly number[]): D1PreparedStatement[] {
		const pruned = `script_id = ?1 AND version NOT IN (${protect.map((_, i) => `?${i + 4}`).join(', ') || 'NULL'})
			AND version <= (SELECT COALESCE(MAX(version), 0) FROM worker_versions WHERE script_id = ?1) - ?2`;
		const bind = (statement: D1PreparedStatement) => statement.bind(scriptId, keep, Date.now() + this.#graceMs, ...protect);
		return [
			bind(
				this.#db.prepare(
					`INSERT INTO retired_code (kv_key, remove_after) SELECT '${CODE_KEY_PREFIX}' || script_id || ':' || version, ?3
					 FROM worker_versions WHERE ${pruned} ON CONFLICT (kv_key) DO NOTHING`
				)
			),
			bind(this.#db.prepare(`DELETE FROM worker_versions WHERE ${pruned} RETURNING version`))
		];
	}

	/**
	 * Forgets a deleted Worker: its name's script id, versions and history now; their code, and `otherKeys`
	 * (its settings), after the grace period. Returns the version numbers it had.
	 */
	async forget(name: string, scriptId: string, otherKeys: string[]): Promise<number[]> {
		const [, removed] = await this.#db.batch<{ version: number }>([
			this.#db.prepare('DELETE FROM worker_scripts WHERE name = ? AND script_id = ?').bind(name, scriptId),
			this.#db.prepare('DELETE FROM worker_versions WHERE script_id = ? RETURNING version').bind(scriptId),
			this.#db.prepare('DELETE FROM worker_deployments WHERE script_id = ?').bind(scriptId)
		]);
		const versions = removed.results.map((r) => r.version);
		await this.#retire([...versions.map((version) => codeKey(scriptId, version)), ...otherKeys]);
		return versions;
	}

	async #retire(keys: string[]): Promise<void> {
		if (keys.length === 0) return;
		const removeAfter = Date.now() + this.#graceMs;
		await this.#db.batch(
			keys.map((key) =>
				this.#db
					.prepare('INSERT INTO retired_code (kv_key, remove_after) VALUES (?, ?) ON CONFLICT (kv_key) DO NOTHING')
					.bind(key, removeAfter)
			)
		);
	}

	/** Deletes the code whose grace period is over (at most `limit` keys per call). Returns how many. */
	async sweep(now = Date.now(), limit = 100): Promise<number> {
		const { results } = await this.#db
			.prepare('SELECT kv_key FROM retired_code WHERE remove_after <= ? ORDER BY remove_after LIMIT ?')
			.bind(now, limit)
			.all<{ kv_key: string }>();
		if (results.length === 0) return 0;
		await Promise.all(results.map(({ kv_key }) => this.#kv.delete(kv_key)));
		await this.#db.batch(results.map(({ kv_key }) => this.#db.prepare('DELETE FROM retired_code WHERE kv_key = ?').bind(kv_key)));
		return results.length;
	}
}
