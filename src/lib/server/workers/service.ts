// The rules for a platform's Workers: what an upload must be, and how a Worker's record (the registry)
// and its code (the backend) change together. Every surface (tRPC, the web UI's form actions, the CLI
// through tRPC) goes through these functions.
import type { WorkerBackend } from '../backend';
import type { PlatformConfig } from '../config';
import { InputError, NotFoundError } from '../errors';
import { checkWorkerModule } from '../module-check';
import type { Principal } from '../principal';
import type { StoredWorker, WorkerPage, WorkerRegistry } from '../registry';
import { workerNameProblem } from '$lib/worker-name';
import { formatBytes } from '$lib/format';

export interface UploadInput {
	name: string;
	code: string;
	compatibilityDate?: string;
}

/** Every call names who makes it (`caller`); what a caller may see and change is decided here. */
export interface WorkerService {
	upload(caller: Principal, input: UploadInput): Promise<StoredWorker>;
	list(caller: Principal, options?: { cursor?: string; limit?: number }): Promise<WorkerPage>;
	get(caller: Principal, name: string): Promise<StoredWorker & { code: string }>;
	delete(caller: Principal, name: string): Promise<void>;
}

export function createWorkerService(deps: {
	config: PlatformConfig;
	registry: WorkerRegistry;
	backend: WorkerBackend;
}): WorkerService {
	const { config, registry, backend } = deps;

	async function existing(_caller: Principal, name: string): Promise<StoredWorker> {
		assertName(name);
		const record = await registry.get(name);
		if (!record) throw new NotFoundError(`no Worker is named "${name}"`);
		return record;
	}

	return {
		async upload(_caller, { name, code, compatibilityDate }) {
			assertName(name);
			const bytes = new TextEncoder().encode(code);
			if (bytes.length === 0 || code.trim() === '') throw new InputError('code', 'code is empty');
			if (bytes.length > config.maxScriptBytes)
				throw new InputError(
					'code',
					`code is ${formatBytes(bytes.length)}; the limit is ${formatBytes(config.maxScriptBytes)} (MAX_SCRIPT_BYTES)`
				);
			if (compatibilityDate !== undefined) assertCompatibilityDate(compatibilityDate);
			checkWorkerModule(code);

			const previous = await registry.get(name);
			const now = new Date().toISOString();
			const record: StoredWorker = {
				name,
				scriptId: previous?.scriptId ?? crypto.randomUUID(),
				sha256: await sha256Hex(bytes),
				size: bytes.length,
				compatibilityDate: compatibilityDate ?? previous?.compatibilityDate ?? config.defaultCompatibilityDate,
				createdAt: previous?.createdAt ?? now,
				updatedAt: now
			};
			// Code first, then the record that points at it: a failure in between never leaves a
			// record without its script, and a rejected deploy leaves the old version serving.
			await backend.deploy(record, code);
			await registry.put(record);
			return record;
		},

		list: (_caller, options) => registry.list(options),

		async get(caller, name) {
			const record = await existing(caller, name);
			return { ...record, code: await backend.source(record) };
		},

		async delete(caller, name) {
			const record = await existing(caller, name);
			// The record first, so the URL stops serving at once even if removing the script fails.
			await registry.delete(name);
			await backend.remove(record);
		}
	};
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
