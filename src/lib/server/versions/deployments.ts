// How versions become the serving one. The record in the registry (KV) is the serving pointer: moving it
// is one KV write, and it only ever names a version whose code is already stored and never overwritten, so
// a request that read the previous record still runs the previous version. Retention and deletes retire
// code through the version store's grace period rather than deleting it under a request in flight.
import type { WorkerBackend } from '../backend';
import { InputError, NotFoundError } from '../errors';
import type { StoredWorker, WorkerRegistry } from '../registry';
import { NO_SETTINGS, settingsKey, type SettingsChange, type SettingsStore, type SettingsView } from './settings';
import type { DeploymentKind, StoredModules, VersionInfo, VersionStore } from './store';
import type { AssetManifest } from '../assets/manifest';
import { runnableOf } from '../modules/bundle';
import type { RunnableWorker } from '../modules/kinds';

export interface NewVersion {
	modules: StoredModules;
	sha256: string;
	size: number;
	compatibilityDate: string;
	message: string | null;
	author: string;
	/** false: store the version without serving it (preview it, deploy it later). */
	deploy: boolean;
	/** Its static assets; absent: the version has none. */
	assets?: AssetManifest;
	/**
	 * Vars to set (null: remove) as the version starts serving, so its first request already sees them. Only
	 * with `deploy`: vars belong to the Worker, not to a version, and would change the serving one's too.
	 */
	vars?: Record<string, string | null>;
}

export class Deployments {
	readonly #registry: WorkerRegistry;
	readonly #backend: WorkerBackend;
	readonly #store: VersionStore;
	readonly #settings: SettingsStore;
	readonly #retention: number;

	constructor(deps: { registry: WorkerRegistry; backend: WorkerBackend; store: VersionStore; settings: SettingsStore; retention: number }) {
		this.#registry = deps.registry;
		this.#backend = deps.backend;
		this.#store = deps.store;
		this.#settings = deps.settings;
		this.#retention = deps.retention;
	}

	/**
	 * Stores `input` as the next version of `name` and, unless `input.deploy` is false, makes it serve.
	 * `previous` is the record as the caller just read it. Returns the serving record afterwards and the new version.
	 */
	/** `owner`: the Worker's owner and its per-request limits, carried in the record for dispatch. */
	async upload(
		name: string,
		input: NewVersion,
		previous: StoredWorker | null,
		owner: Pick<StoredWorker, 'customerId' | 'limits'>
	): Promise<{ worker: StoredWorker; version: VersionInfo }> {
		if (!input.deploy && !previous)
			throw new InputError('deploy', `"${name}" serves no version yet: upload its first version with deploy on`);
		const varsChange = input.vars && Object.keys(input.vars).length > 0 ? input.vars : null;
		if (varsChange && !input.deploy)
			throw new InputError('vars', 'vars are set with an upload that deploys; for a staged version set them with workers.settings.update');
		if (varsChange) this.#settings.check({ vars: varsChange });
		const { scriptId, version } = await this.#store.create(name, previous?.scriptId ?? crypto.randomUUID(), input);
		if (input.deploy) {
			// The vars change with the version: the record that makes the version serve carries their fingerprint.
			const undo = varsChange && (await this.#undoOf(scriptId, varsChange));
			const settings = varsChange ? (await this.#settings.update(scriptId, { vars: varsChange })).fingerprint : undefined;
			try {
				const worker = await this.#promote(
					name,
					scriptId,
					{ ...version, assets: input.assets !== undefined },
					runnableOf(input.modules, input.modules.compiled),
					'upload',
					input.author,
					previous,
					owner,
					settings
				);
				return { worker, version };
			} catch (error) {
				// A refused deploy leaves the serving version with the vars it had.
				if (undo) await this.#settings.update(scriptId, { vars: undo });
				throw error;
			}
		}
		const pruned = await this.#store.prune(scriptId, this.#retention, [previous!.version]);
		await this.#cleanUp(scriptId, pruned);
		return { worker: previous!, version };
	}

	/** Makes an existing version serve (`deploy` after an upload without deploying, or a rollback). */
	async deploy(record: StoredWorker, version: number, kind: DeploymentKind, author: string): Promise<StoredWorker> {
		const { modules, ...info } = await this.version(record, version);
		const assets = (await this.#store.assetManifest(record.scriptId, version)) !== null;
		return this.#promote(record.name, record.scriptId, { ...info, assets }, runnableOf(modules, modules.compiled), kind, author, record);
	}

	/** A version's metadata and modules, or NotFoundError. */
	async version(record: StoredWorker, version: number): Promise<VersionInfo & { modules: StoredModules }> {
		const info = await this.#store.get(record.scriptId, version);
		const modules = info && (await this.#store.modules(record.scriptId, version));
		if (!info || modules === null) throw new NotFoundError(`"${record.name}" has no version ${version}`);
		return { ...info, modules };
	}

	/**
	 * Changes the vars and secrets; the record then carries the new settings' fingerprint, so the next
	 * request runs with them (no code upload).
	 */
	async updateSettings(record: StoredWorker, change: SettingsChange): Promise<SettingsView> {
		const { view, fingerprint } = await this.#settings.update(record.scriptId, change);
		const worker = await this.#store.runnable(record.scriptId, record.version);
		const updated = { ...record, settings: fingerprint, updatedAt: new Date().toISOString() };
		if (change.vars && Object.keys(change.vars).length && worker !== null) await this.#backend.deploy(updated, worker, view.vars);
		if (change.secrets && Object.keys(change.secrets).length) await this.#backend.updateSecrets(updated, change.secrets);
		// Re-read: a deploy that finished meanwhile keeps its version; only the settings change here.
		const current = (await this.#registry.get(record.name)) ?? record;
		if (current.scriptId === record.scriptId) await this.#registry.put({ ...current, settings: fingerprint, updatedAt: updated.updatedAt });
		return view;
	}

	/** Deletes whatever the backend still holds for a customer whose Workers were each forgotten. */
	async removeOwnedBy(customerId: string): Promise<void> {
		await this.#backend.removeOwnedBy(customerId);
	}

	/** After the record is gone: the Worker's versions and settings go, their KV keys after the grace period. */
	async forget(record: StoredWorker): Promise<void> {
		const versions = await this.#store.forget(record.name, record.scriptId, [settingsKey(record.scriptId)]);
		await this.#backend.remove(record.scriptId, versions);
		await this.#cleanUp(record.scriptId, []);
	}

	async #promote(
		name: string,
		scriptId: string,
		version: VersionInfo & { assets: boolean },
		worker: RunnableWorker,
		kind: DeploymentKind,
		author: string,
		base: StoredWorker | null,
		owner: Pick<StoredWorker, 'customerId' | 'limits'> = { customerId: base?.customerId ?? null, limits: base?.limits },
		/** The fingerprint of settings changed with this deploy; absent: the Worker's settings as `base` has them. */
		changedSettings?: string
	): Promise<StoredWorker> {
		const now = new Date().toISOString();
		const settings = changedSettings ?? (base?.scriptId === scriptId ? base.settings : NO_SETTINGS);
		const record: StoredWorker = {
			name,
			scriptId,
			version: version.version,
			sha256: version.sha256,
			size: version.size,
			compatibilityDate: version.compatibilityDate,
			settings,
			deployment: 0,
			createdAt: base?.scriptId === scriptId ? base.createdAt : now,
			updatedAt: now,
			customerId: owner.customerId ?? null,
			...(owner.limits && { limits: owner.limits }),
			...(version.assets && { assets: true })
		};
		// The backend first (the cloudflare backend uploads here; a rejected script leaves the old version
		// serving), then the history, then the one KV write that moves the pointer.
		const { vars } = settings === NO_SETTINGS ? { vars: {} } : await this.#settings.view(scriptId);
		await this.#backend.deploy(record, worker, vars);
		// The history and the retention in one batch; pruned code stays readable for the grace period, so
		// pruning the version serving until this write lands breaks no request in flight.
		const { deployment, pruned } = await this.#store.recordDeployment(scriptId, version.version, kind, author, {
			keep: this.#retention
		});
		record.deployment = deployment.seq;
		// Concurrent deploys: the one recorded last wins, whatever order their KV writes land in.
		const current = await this.#registry.get(name);
		const winner = current?.scriptId === scriptId && current.deployment > record.deployment ? current : record;
		if (winner === record) await this.#registry.put(record);
		await this.#cleanUp(scriptId, pruned);
		return winner;
	}

	/** The vars change that restores what `change` is about to change. */
	async #undoOf(scriptId: string, change: Record<string, string | null>): Promise<Record<string, string | null>> {
		const { vars } = await this.#settings.view(scriptId);
		return Object.fromEntries(Object.keys(change).map((key) => [key, vars[key] ?? null]));
	}

	/** Removes the previews of pruned versions, and the code whose grace period is over. */
	async #cleanUp(scriptId: string, pruned: number[]): Promise<void> {
		if (pruned.length) await this.#backend.removePreviews(scriptId, pruned);
		await this.#store.sweep();
	}
}
