// The rules for a platform's Workers: who may do what, what an upload must be, and how a Worker's record
// (the registry), its owner and quota (D1), its versions and its settings (src/lib/server/versions/)
// change together. Every surface (tRPC, the web UI's form actions, the CLI through tRPC, the
// Cloudflare-compatible API) goes through these functions.
import type { PlatformConfig } from '../config';
import type { Customer, CustomerStore } from '../customers/store';
import { ConflictError, InputError, NotFoundError, PlatformError, QuotaError } from '../errors';
import { prepareModules } from '../modules/bundle';
import { singleModule, type ModuleSet } from '../modules/kinds';
import { describePrincipal, ownerOf, type Principal } from '../principal';
import type { HostnameService } from '../hostnames/service';
import { mayAccess } from './access';
import { LIST_LIMIT_DEFAULT, type StoredWorker, type WorkerLimits, type WorkerPage, type WorkerRegistry } from '../registry';
import type { Deployments } from '../versions/deployments';
import type { SettingsChange, SettingsStore, SettingsView } from '../versions/settings';
import { MESSAGE_MAX_CHARS, type VersionInfo, type VersionPage, type VersionStore } from '../versions/store';
import { workerNameProblem } from '$lib/worker-name';
import type { AssetService } from '../assets/service';

export interface UploadInput {
	name: string;
	/** The Worker as one ES module: the same as `{ mainModule: "worker.js", modules: { "worker.js": code } }`. */
	code?: string;
	/** With `modules`, instead of `code`: the module whose default export serves requests. */
	mainModule?: string;
	/** Every module by its relative path; the extension gives its kind (src/lib/server/modules/kinds.ts). */
	modules?: Record<string, string>;
	compatibilityDate?: string;
	/** What changed, for the version history. */
	message?: string;
	/** false: store the version without serving it (default true). */
	deploy?: boolean;
	/**
	 * Its static assets: a completed upload session (src/lib/server/assets/service.ts), or `keep` for the
	 * serving version's assets. Absent: the version has none.
	 */
	assets?: { session: string } | { keep: true };
	/** Vars to set (null: remove) as this version starts serving; only with `deploy` (the default). */
	vars?: Record<string, string | null>;
}

/** Every call names who makes it (`caller`); what a caller may see and change is decided here. */
export interface WorkerService {
	/** The serving record afterwards, and the version the upload created. */
	upload(caller: Principal, input: UploadInput): Promise<StoredWorker & { uploaded: VersionInfo }>;
	/** The operator sees every Worker (or one customer's, with `customerId`); a customer sees its own. */
	list(caller: Principal, options?: { cursor?: string; limit?: number; customerId?: string }): Promise<WorkerPage>;
	/** The serving version's record and modules as uploaded, or with `version` that version's. */
	get(caller: Principal, name: string, version?: number): Promise<StoredWorker & WorkerSource>;
	delete(caller: Principal, name: string): Promise<void>;
	/** The Worker's versions, newest first, and which one serves. */
	versions(caller: Principal, name: string, options?: { cursor?: string; limit?: number }): Promise<VersionPage & { serving: number }>;
	/** Makes an earlier version serve again, as a new deployment. */
	rollback(caller: Principal, name: string, version: number): Promise<StoredWorker>;
	/** Makes a version uploaded with `deploy: false` (or any kept version) serve. */
	deploy(caller: Principal, name: string, version: number): Promise<StoredWorker>;
	/** The Worker's vars, and its secrets' names (never their values). */
	settings(caller: Principal, name: string): Promise<SettingsView>;
	updateSettings(caller: Principal, name: string, change: SettingsChange): Promise<SettingsView>;
	/** Throws the InputError `updateSettings` would for `change`'s names and values, changing nothing. */
	checkSettings(change: SettingsChange): void;
	/** Writes a customer's new per-request limits into each of its Workers' records (dispatch reads them there). */
	applyOwnerLimits(customerId: string, limits: WorkerLimits): Promise<void>;
	/** Deletes every Worker a customer owns; returns how many. */
	deleteAllOwnedBy(customerId: string): Promise<number>;
	/** A Worker's tags (the Cloudflare API's script tags), in tag order. */
	tags(caller: Principal, name: string): Promise<string[]>;
	/** The tags of the Workers of a list page, by name (only those `caller` may see). */
	tagsOf(caller: Principal, records: StoredWorker[]): Promise<Map<string, string[]>>;
	/** Replaces a Worker's tags; returns them as stored. */
	setTags(caller: Principal, name: string, tags: string[]): Promise<string[]>;
}

/** A version's sources as uploaded (TypeScript as written): `code` is the main module's, for one-file clients. */
export interface WorkerSource extends ModuleSet {
	code: string;
}

/** How many tags a Worker may have, and how long each may be (Cloudflare allows eight per script). */
export const MAX_TAGS = 8;
export const MAX_TAG_LENGTH = 128;

export function createWorkerService(deps: {
	config: PlatformConfig;
	registry: WorkerRegistry;
	versions: VersionStore;
	settings: SettingsStore;
	deployments: Deployments;
	store: CustomerStore;
	hostnames: HostnameService;
	assets?: AssetService;
}): WorkerService {
	const { config, registry, versions, settings, deployments, store, hostnames } = deps;

	/** The manifest an upload's `assets` names, for a Worker owned by `owner`. */
	async function assetsOf(caller: Principal, name: string, owner: string | null, previous: StoredWorker | null, assets: UploadInput['assets']) {
		if (!assets) return undefined;
		if (!deps.assets) throw new InputError('assets', 'this platform does not store static assets');
		if ('keep' in assets) return (previous?.assets && (await deps.assets.manifestOf(previous.scriptId, previous.version))) || undefined;
		return deps.assets.complete(caller, { session: assets.session, name, owner });
	}

	/** The Worker `caller` may see: any for the operator, its own for a customer; NOT_FOUND otherwise. */
	async function existing(caller: Principal, name: string): Promise<StoredWorker> {
		assertName(name);
		const record = await registry.get(name);
		if (!record || !mayAccess(caller, record)) throw new NotFoundError(`no Worker is named "${name}"`);
		return record;
	}

	/** The caller's customer with its plan, read fresh (an operator's change to the plan applies at once). */
	async function planOf(caller: Principal): Promise<Customer | null> {
		if (caller.kind !== 'customer') return null;
		const customer = await store.customer(caller.customerId);
		if (!customer) throw new NotFoundError(`customer ${caller.customerId} no longer exists`);
		return customer;
	}

	/**
	 * Who owns `name` once this upload goes ahead: its current owner, or the caller after claiming it.
	 * `claimed` says the name was free and is now the caller's (to release if the upload then fails).
	 */
	async function claim(caller: Principal, name: string, customer: Customer | null, previous: StoredWorker | null) {
		let owner = await store.ownerOfWorker(name);
		// A Worker uploaded before customers existed has a record but no owner row: it is the operator's.
		if (owner === undefined && previous) {
			await store.claimWorker(name, null, null);
			owner = (await store.ownerOfWorker(name)) ?? null;
		}
		let claimed = false;
		if (owner === undefined) {
			claimed = await store.claimWorker(name, ownerOf(caller), customer?.plan.maxWorkers ?? null);
			if (!claimed) owner = await store.ownerOfWorker(name);
			if (!claimed && owner === undefined) {
				const count = await store.workerCount(customer!.id);
				throw new QuotaError(
					`your plan allows ${customer!.plan.maxWorkers} Workers and you have ${count} (maxWorkers): delete one, or ask the operator for a larger plan`,
					'name'
				);
			}
		}
		if (!claimed && caller.kind !== 'operator' && owner !== ownerOf(caller))
			throw new ConflictError(`the name "${name}" is taken; choose another name`, 'name');
		return { owner: claimed ? ownerOf(caller) : (owner ?? null), claimed };
	}

	async function limitsOf(owner: string | null, customer: Customer | null): Promise<WorkerLimits> {
		const plan = owner === null ? null : customer?.id === owner ? customer.plan : (await store.customer(owner))?.plan;
		return plan ? { cpuMs: plan.cpuMs, subRequests: plan.subRequests } : config.limits;
	}

	async function remove(record: StoredWorker) {
		// The record first, so the URL answers 404 at once; the code goes after the grace period.
		await registry.delete(record.name);
		await hostnames.removeAllOf(record.name);
		await deployments.forget(record);
		await store.releaseWorker(record.name);
	}

	/** Every name a customer owns, page by page. */
	async function* namesOwnedBy(customerId: string) {
		for (let after: string | null = null; ; ) {
			const names = await store.workerNames(customerId, after, 100);
			yield* names;
			if (names.length < 100) return;
			after = names[names.length - 1];
		}
	}

	return {
		async upload(caller, { name, code, mainModule, modules, compatibilityDate, message, deploy = true, assets, vars }) {
			requireSignedIn(caller);
			assertName(name);
			const set = moduleSetOf(code, mainModule, modules);
			const customer = await planOf(caller);
			if (compatibilityDate !== undefined) assertCompatibilityDate(compatibilityDate);
			if (message !== undefined && message.length > MESSAGE_MAX_CHARS)
				throw new InputError('message', `message is ${message.length} characters; the limit is ${MESSAGE_MAX_CHARS}`);
			const prepared = await prepareModules(
				set,
				{
					maxBytes: customer?.plan.maxScriptBytes ?? config.maxScriptBytes,
					limitName: customer ? "your plan's maxScriptBytes" : 'MAX_SCRIPT_BYTES'
				},
				code !== undefined
			);

			const previous = await registry.get(name);
			const { owner, claimed } = await claim(caller, name, customer, previous);
			const newVersion = {
				modules: { ...prepared.set, compiled: prepared.compiled },
				sha256: prepared.sha256,
				size: prepared.size,
				compatibilityDate: compatibilityDate ?? previous?.compatibilityDate ?? config.defaultCompatibilityDate,
				message: message?.trim() || null,
				author: describePrincipal(caller),
				deploy,
				vars
			};
			// The version first, then the record that points at it: a failure in between never leaves a record
			// without its code, and a rejected deploy leaves the old version serving.
			try {
				const manifest = await assetsOf(caller, name, owner, previous, assets);
				const { worker, version } = await deployments.upload(name, { ...newVersion, assets: manifest }, previous, {
					customerId: owner,
					limits: await limitsOf(owner, customer)
				});
				if (assets && 'session' in assets) await deps.assets?.close(assets.session);
				return { ...worker, uploaded: version };
			} catch (error) {
				if (claimed) await store.releaseWorker(name);
				throw error;
			}
		},

		async list(caller, { cursor, limit = LIST_LIMIT_DEFAULT, customerId } = {}) {
			requireSignedIn(caller);
			const owner = caller.kind === 'customer' ? caller.customerId : customerId;
			if (owner === undefined) return registry.list({ cursor, limit });
			// One customer's Workers: the names from D1 (cursor: the last name of the previous page).
			const names = await store.workerNames(owner, cursor || null, limit + 1);
			const page = names.slice(0, limit);
			const records = await Promise.all(page.map((name) => registry.get(name)));
			return {
				workers: records.filter((record): record is StoredWorker => record !== null),
				cursor: names.length > limit ? page[page.length - 1] : null
			};
		},

		async get(caller, name, version) {
			const record = await existing(caller, name);
			const chosen = await deployments.version(record, version ?? record.version);
			return {
				...record,
				version: chosen.version,
				sha256: chosen.sha256,
				size: chosen.size,
				compatibilityDate: chosen.compatibilityDate,
				code: chosen.modules.modules[chosen.modules.mainModule],
				mainModule: chosen.modules.mainModule,
				modules: chosen.modules.modules
			};
		},

		async delete(caller, name) {
			requireSignedIn(caller);
			await remove(await existing(caller, name));
		},

		async versions(caller, name, options) {
			const record = await existing(caller, name);
			return { ...(await versions.list(record.scriptId, options)), serving: record.version };
		},

		async rollback(caller, name, version) {
			const record = await existing(caller, name);
			assertNotServing(record, version);
			return deployments.deploy(record, version, 'rollback', describePrincipal(caller));
		},

		async deploy(caller, name, version) {
			const record = await existing(caller, name);
			assertNotServing(record, version);
			return deployments.deploy(record, version, 'deploy', describePrincipal(caller));
		},

		async settings(caller, name) {
			const record = await existing(caller, name);
			return settings.view(record.scriptId);
		},

		async updateSettings(caller, name, change) {
			const record = await existing(caller, name);
			return deployments.updateSettings(record, change);
		},

		checkSettings: (change) => settings.check(change),

		async applyOwnerLimits(customerId, limits) {
			for await (const name of namesOwnedBy(customerId)) {
				const record = await registry.get(name);
				if (record) await registry.put({ ...record, limits });
			}
		},

		async deleteAllOwnedBy(customerId) {
			let deleted = 0;
			for (;;) {
				// Each pass re-reads from the start: deleting releases the names already read.
				const names = await store.workerNames(customerId, null, 100);
				for (const name of names) {
					const record = await registry.get(name);
					if (record) await remove(record);
					else await store.releaseWorker(name);
					deleted++;
				}
				if (names.length < 100) break;
			}
			await deployments.removeOwnedBy(customerId);
			await deps.assets?.removeOwner(customerId);
			return deleted;
		},

		async tags(caller, name) {
			requireSignedIn(caller);
			await existing(caller, name);
			return (await store.workerTags([name])).get(name) ?? [];
		},

		async tagsOf(caller, records) {
			requireSignedIn(caller);
			return store.workerTags(records.filter((record) => mayAccess(caller, record)).map((record) => record.name));
		},

		async setTags(caller, name, tags) {
			requireSignedIn(caller);
			const wanted = checkTags(tags);
			await existing(caller, name);
			// A Worker uploaded before customers existed has no owner row for its tags to hang on: the operator's.
			if ((await store.ownerOfWorker(name)) === undefined) await store.claimWorker(name, null, null);
			await store.setWorkerTags(name, wanted);
			return wanted;
		}
	};
}

/**
 * `tags` without repeats, in order, once each is a non-empty string without commas (the filter's
 * separator); an InputError otherwise. Surfaces call it to refuse bad tags before an upload changes anything.
 */
export function checkTags(tags: unknown): string[] {
	if (!Array.isArray(tags)) throw new InputError('tags', 'tags must be an array of strings');
	for (const tag of tags) {
		if (typeof tag !== 'string' || tag.trim() === '') throw new InputError('tags', `each tag must be a non-empty string, got ${JSON.stringify(tag)}`);
		if (tag.includes(',')) throw new InputError('tags', `tag ${JSON.stringify(tag)} contains a comma, which separates tag filters`);
		if (tag.length > MAX_TAG_LENGTH) throw new InputError('tags', `tag ${JSON.stringify(tag.slice(0, 20))}… is longer than ${MAX_TAG_LENGTH} characters`);
	}
	const unique = [...new Set(tags as string[])].sort();
	if (unique.length > MAX_TAGS) throw new InputError('tags', `a Worker may have at most ${MAX_TAGS} tags, got ${unique.length}`);
	return unique;
}

/** Anonymous callers are turned away before any rule runs (the router says how to authenticate). */
function requireSignedIn(caller: Principal) {
	if (caller.kind === 'anonymous') throw new PlatformError('forbidden', 'sign in or send a token first');
}

/** The upload's modules: `code` alone, or `mainModule` with `modules`. */
function moduleSetOf(code: string | undefined, mainModule: string | undefined, modules: Record<string, string> | undefined): ModuleSet {
	if (code !== undefined) {
		if (mainModule !== undefined || modules !== undefined)
			throw new InputError('code', 'send either code (one module) or mainModule and modules, not both');
		return singleModule(code);
	}
	if (modules === undefined) throw new InputError('code', 'code is required (or mainModule and modules)');
	if (typeof mainModule !== 'string' || mainModule === '')
		throw new InputError('mainModule', 'mainModule is required with modules: the name of the module whose default export serves requests');
	return { mainModule, modules };
}

function assertNotServing(record: StoredWorker, version: number) {
	if (record.version === version) throw new InputError('version', `version ${version} of "${record.name}" is already serving`);
}

function assertName(name: string) {
	const problem = workerNameProblem(name);
	if (problem) throw new InputError('name', problem);
}

function assertCompatibilityDate(date: string) {
	const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : null;
	if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
		throw new InputError('compatibilityDate', `compatibilityDate must be a date like 2026-08-01, got ${JSON.stringify(date)}`);
	if (date < '2021-11-03') throw new InputError('compatibilityDate', 'compatibilityDate must be 2021-11-03 or later (ES modules)');
	if (parsed.getTime() > Date.now()) throw new InputError('compatibilityDate', `compatibilityDate ${date} is in the future`);
}
