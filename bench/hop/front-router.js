// Prototype (bench only): the least a dispatcher in front of a runner can do with the platform's
// protections: route /user-workers/<name>/, resolve the record from an in-isolate cache, strip the caller's
// credentials, add a request id, race a timeout, forward in the runner's protocol, harden the response.
import { userWorkerRequestHeaders } from '../../src/lib/server/user-request';
import { hardenUserResponse } from '../../src/lib/server/user-response';
import { RUNNER_HEADERS, RUNNER_RUN_PATH } from '../../src/lib/server/runner-protocol';
import { DEFAULT_LIMITS, HELLO_SCRIPT } from '../hello-worker.js';

const PREFIX = '/user-workers/';
const config = { adminToken: null, credentialHeaders: [] };
/** The records the prototype knows (a real one caches them for a bounded time, filled from the app). */
const RECORDS = Object.freeze({ hello: Object.freeze({ record: HELLO_SCRIPT, expires: Infinity }) });
const limitsHeader = JSON.stringify(DEFAULT_LIMITS);

export default {
	/** @param {Request} request @param {{ RUNNER: Fetcher, RUNNER_SECRET: string }} env */
	async fetch(request, env) {
		const url = new URL(request.url);
		if (!url.pathname.startsWith(PREFIX)) return new Response('not found', { status: 404 });
		const rest = url.pathname.slice(PREFIX.length);
		const slash = rest.indexOf('/');
		const name = slash === -1 ? rest : rest.slice(0, slash);
		const cached = Object.hasOwn(RECORDS, name) ? RECORDS[name] : undefined;
		if (!cached || cached.expires < Date.now()) return new Response('no such Worker', { status: 404 });
		const headers = userWorkerRequestHeaders(request.headers, config);
		headers.set('x-forwarded-prefix', PREFIX + name);
		headers.set('x-request-id', crypto.randomUUID());
		headers.set(RUNNER_HEADERS.secret, env.RUNNER_SECRET);
		headers.set(RUNNER_HEADERS.script, JSON.stringify(cached.record));
		headers.set(RUNNER_HEADERS.limits, limitsHeader);
		headers.set(RUNNER_HEADERS.url, url.origin + (slash === -1 ? '/' : rest.slice(slash)) + url.search);
		const abort = new AbortController();
		let timer;
		const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 30000)));
		try {
			const outcome = await Promise.race([
				env.RUNNER.fetch('http://runner' + RUNNER_RUN_PATH, { method: request.method, headers, body: request.body, redirect: 'manual', signal: abort.signal }),
				timeout
			]);
			if (outcome === 'timeout') return new Response('timeout', { status: 504 });
			return hardenUserResponse(outcome, { ownOrigin: false });
		} finally {
			clearTimeout(timer);
		}
	}
};
