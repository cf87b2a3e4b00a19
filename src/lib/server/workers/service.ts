// The rules for a platform's Workers: what an upload must be, and how a Worker's record (the registry),
// its versions and its settings (src/lib/server/versions/) change together. Every surface (tRPC, the web
// UI's form actions, the CLI through tRPC) goes through these functions.
import type { PlatformConfig } from '../config';
import { InputError, NotFoundError } from '../errors';
import { checkWorkerModule } from '../module-check';
import { describePrincipal, type Principal } from '../principal';
import type { StoredWorker, WorkerPage, WorkerRegistry } from '../registry';
import type { Deployments } from '../versions/deployments';
import type { SettingsChange, SettingsStore, SettingsView } from '../versions/settings';
import { MESSAGE_MAX_CHARS, type VersionInfo, type VersionPage, type VersionStore } from '../versions/store';
import { workerNameProblem } from '$lib/worker-name';
import { formatBytes } from '$lib/format';

export interface UploadInput {
	name: string;
	code: string;
	compatibilityDate?: string;
	/** What changed, for the version history. */
	message?: string;
	/** false: store the version without serving it (default true). */
	deploy?: boolean;
}

/** Every call names who makes it (`caller`); what a caller may see and change is decided here. */
export interface WorkerService {
	/** The serving record afterwards, and the version the upload created. */
	upload(caller: Principal, input: UploadInput): Promise<StoredWorker & { uploaded: VersionInfo }>;
	list(caller: Principal, options?: { cursor?: string; limit?: number }): Promise<WorkerPage>;
	/** The serving version's record and code, or with `version` that version's. */
	get(caller: Principal, name: string, version?: number): Promise<StoredWorker & { code: string }>;
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
}

export function createWorkerService(deps: {
	config: PlatformConfig;
	registry: WorkerRegistry;
	versions: VersionStore;
	settings: SettingsStore;
	deployments: Deployments;
}): WorkerService {
	const { config, registry, versions, settings, deployments } = deps;

	async function existing(_caller: Principal, name: string): Promise<StoredWorker> {
		assertName(name);
		const record = await registry.get(name);
		if (!record) throw new NotFoundError(`no Worker is named "${name}"`);
		return record;
	}

	return {
		async upload(caller, { name, code, compatibilityDate, message, deploy = true }) {
			assertName(name);
			const bytes = new TextEncoder().encode(code);
			if (bytes.length === 0 || code.trim() === '') throw new InputError('code', 'code is empty');
			if (bytes.length > config.maxScriptBytes)
				throw new InputError(
					'code',
					`code is ${formatBytes(bytes.length)}; the limit is ${formatBytes(config.maxScriptBytes)} (MAX_SCRIPT_BYTES)`
				);
			if (compatibilityDate !== undefined) assertCompatibilityDate(compatibilityDate);
			if (message !== undefined && message.length > MESSAGE_MAX_CHARS)
				throw new InputError('message', `message is ${message.length} characters; the limit is ${MESSAGE_MAX_CHARS}`);
			checkWorkerModule(code);

			const previous = await registry.get(name);
			const newVersion = {
				code,
				sha256: await sha256Hex(bytes),
				size: bytes.length,
				compatibilityDate: compatibilityDate ?? previous?.compatibilityDate ?? config.defaultCompatibilityDate,
				message: message?.trim() || null,
				author: describePrincipal(caller),
				deploy
			};
			const { worker, version } = await deployments.upload(name, newVersion, previous);
			return { ...worker, uploaded: version };
		},

		list: (_caller, options) => registry.list(options),

		async get(caller, name, version) {
			const record = await existing(caller, name);
			const chosen = await deployments.version(record, version ?? record.version);
			return {
				...record,
				version: chosen.version,
				sha256: chosen.sha256,
				size: chosen.size,
				compatibilityDate: chosen.compatibilityDate,
				code: chosen.code
			};
		},

		async delete(caller, name) {
			const record = await existing(caller, name);
			// The record first, so the URL answers 404 at once; the code goes after the grace period.
			await registry.delete(name);
			await deployments.forget(record);
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
		}
	};
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

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
