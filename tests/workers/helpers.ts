import { env } from 'cloudflare:workers';
import { beforeEach } from 'vitest';
import { buildPlatform, type Platform } from '$lib/server/platform';
import { OPERATOR, type Principal } from '$lib/server/principal';
import { createCaller } from '$lib/trpc/router';
import { createContext } from '$lib/trpc/context';
import type { WorkerBackend } from '$lib/server/backend';

export const ORIGIN = 'http://platform.test';

export const hello = (greeting = 'hello') =>
	`export default { async fetch(request) {
		const url = new URL(request.url);
		return new Response(\`${greeting} \${request.method} \${url.pathname}\${url.search} \${request.headers.get('x-forwarded-prefix')} \${await request.text()}\`);
	} }`;

/** The PLATFORM_SECRETS_KEY of setup()'s platforms. */
export const TEST_SECRETS_KEY = 'test-secrets-key-0123456789abcdef';

/** A router caller over the real KV, D1 and Worker Loader of this test's workerd, as `principal` (the operator unless said). */
export function setup(vars: Partial<Env> = {}, backend?: WorkerBackend, principal: Principal = OPERATOR) {
	const platform = buildPlatform({ ...env, PLATFORM_SECRETS_KEY: TEST_SECRETS_KEY, ...vars } as Env, { backend });
	return { platform, caller: callerFor(platform, principal) };
}

/** A router caller for `principal` on an existing platform. */
export function callerFor(platform: Platform, principal: Principal) {
	const session = { openMode: false, principal, sessionId: null, rejectedToken: false };
	return createCaller(createContext(new Request(ORIGIN), platform, session));
}

/** Calls `fn`, expecting a tRPC error; returns its code and message. */
export async function trpcError(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
	try {
		await fn();
	} catch (error) {
		const { code, message } = error as { code: string; message: string };
		return { code, message };
	}
	throw new Error('expected a tRPC error');
}

/** Each test starts from an empty KV namespace and empty D1 tables. */
export function useEmptyKv() {
	beforeEach(async () => {
		const tables = ['worker_scripts', 'worker_versions', 'worker_deployments', 'retired_code'];
		tables.push('hostnames', 'script_tags', 'sessions', 'tokens', 'workers', 'customers');
		await env.DB.batch(tables.map((table) => env.DB.prepare(`DELETE FROM ${table}`)));
		let cursor: string | undefined;
		do {
			const page = await env.WORKER_MAPPINGS.list({ cursor });
			await Promise.all(page.keys.map((key: { name: string }) => env.WORKER_MAPPINGS.delete(key.name)));
			cursor = page.list_complete ? undefined : page.cursor;
		} while (cursor);
	});
}

/** The keys of the KV namespace whose value contains `text` (as it is, or as a JSON string: versions' modules). */
export async function kvKeysHolding(text: string): Promise<string[]> {
	const found: string[] = [];
	const inJson = JSON.stringify(text).slice(1, -1);
	let cursor: string | undefined;
	do {
		const page = await env.WORKER_MAPPINGS.list({ cursor });
		for (const { name } of page.keys) {
			const value = await env.WORKER_MAPPINGS.get(name);
			if (value?.includes(text) || value?.includes(inJson)) found.push(name);
		}
		cursor = page.list_complete ? undefined : page.cursor;
	} while (cursor);
	return found;
}
