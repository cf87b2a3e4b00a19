// How much one API request may ask of the platform (src/lib/server/api-limits.ts), over HTTP against the
// app as `npm start` runs it: oversized batches, bodies and inputs are refused in tRPC's error shape with
// a message naming the limit, and ordinary batches keep working.
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_CALLS, MAX_QUERY_INPUT_BYTES } from '$lib/server/api-limits';
import { useApp } from './use-app';

const app = useApp();

/** Response bodies are whatever the API returned. */
const json = (response: Response): Promise<any> => response.json();

/** A GET batch of `count` calls of `procedure`, each with `input`. */
function batchUrl(procedure: string, count: number, input: unknown): string {
	const inputs = Object.fromEntries(Array.from({ length: count }, (_, index) => [index, input]));
	return `${app.url}/api/trpc/${Array(count).fill(procedure).join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
}

/** A Worker whose code is about `bytes` long. */
const largeWorker = (bytes: number) => `export default { fetch: () => new Response("large") }\n// ${'x'.repeat(bytes)}\n`;

/**
 * POSTs `body` (with Content-Length, or chunked without one) and resolves with the server's answer. A server
 * that refuses a body part-way may close the connection while it is still being sent: fetch() then fails
 * with EPIPE instead of returning the answer, so this reads the answer and ignores the broken write.
 */
function postLarge(path: string, body: Uint8Array, { withLength }: { withLength: boolean }): Promise<Response> {
	return new Promise((resolve, reject) => {
		const url = new URL(path, app.url);
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (withLength) headers['content-length'] = String(body.length);
		const call = httpRequest(url, { method: 'POST', headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk) => chunks.push(chunk));
			response.on('end', () =>
				resolve(new Response(Buffer.concat(chunks), { status: response.statusCode, headers: response.headers as Record<string, string> }))
			);
		});
		let answered = false;
		call.on('response', () => (answered = true));
		call.on('error', (error) => {
			if (!answered && (error as NodeJS.ErrnoException).code !== 'EPIPE' && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
		});
		for (let offset = 0; offset < body.length; offset += 64 * 1024) call.write(body.subarray(offset, offset + 64 * 1024));
		call.end();
	});
}

async function expectRefusal(response: Response, status: number, code: string, message: RegExp): Promise<void> {
	expect(response.status).toBe(status);
	const body = await json(response);
	expect(body.error.data.code).toBe(code);
	expect(body.error.data.httpStatus).toBe(status);
	expect(body.error.message).toMatch(message);
}

describe('bounded API requests', () => {
	it('refuses a batch of 300 calls with a message naming the limit, before running any', async () => {
		const response = await fetch(batchUrl('workers.list', 300, {}));
		await expectRefusal(response, 400, 'BAD_REQUEST', /^a batch may hold at most 10 calls; this one holds 300/);
		// Mutations are refused the same way, before they run.
		const uploads = Array.from({ length: MAX_BATCH_CALLS + 1 }, (_, index) => ({
			name: `batched-${index}`,
			code: 'export default { fetch: () => new Response("x") }'
		}));
		const mutation = await fetch(`${app.url}/api/trpc/${Array(uploads.length).fill('workers.upload').join(',')}?batch=1`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(Object.fromEntries(uploads.entries()))
		});
		await expectRefusal(mutation, 400, 'BAD_REQUEST', /at most 10 calls; this one holds 11/);
		expect((await app.client.workers.list.query()).workers.map((w) => w.name)).not.toContain('batched-0');
	});

	it('serves batches of up to 10 calls, and the client splits larger ones', async () => {
		await app.client.workers.upload.mutate({ name: 'small', code: 'export default { fetch: () => new Response("small") }' });
		const response = await fetch(batchUrl('workers.get', MAX_BATCH_CALLS, { name: 'small' }));
		expect(response.status).toBe(200);
		const results = await json(response);
		expect(results).toHaveLength(MAX_BATCH_CALLS);
		for (const result of results) expect(result.result.data.name).toBe('small');
		// Made in the same tick, these 25 calls would be one batch without the client's maxItems.
		const records = await Promise.all(Array.from({ length: 25 }, () => app.client.workers.get.query({ name: 'small' })));
		expect(records.map((record) => record.name)).toEqual(Array(25).fill('small'));
	});

	it('refuses a body over twice MAX_SCRIPT_BYTES with 413, with or without Content-Length', async () => {
		const body = new TextEncoder().encode(JSON.stringify({ name: 'huge', code: largeWorker(3 * 1024 * 1024) }));
		const sized = await postLarge('/api/trpc/workers.upload', body, { withLength: true });
		await expectRefusal(sized, 413, 'PAYLOAD_TOO_LARGE', /^the request body is larger than the 2.06 MiB one request may carry/);
		// Streamed without a length (chunked): counted as it arrives.
		const streamed = await postLarge('/api/trpc/workers.upload', body, { withLength: false });
		await expectRefusal(streamed, 413, 'PAYLOAD_TOO_LARGE', /request body is larger/);
		expect((await app.client.workers.list.query()).workers.map((w) => w.name)).not.toContain('huge');
		// A script just over MAX_SCRIPT_BYTES still gets its own, more precise answer.
		const justOver = await app.client.workers.upload.mutate({ name: 'huge', code: largeWorker(1024 * 1024) }).catch((e) => e);
		expect(justOver.data.code).toBe('BAD_REQUEST');
		expect(justOver.message).toContain('the limit is 1 MiB (MAX_SCRIPT_BYTES)');
	});

	it("refuses a GET's input over 8 KiB with 413", async () => {
		const response = await fetch(`${app.url}/api/trpc/workers.get?input=${encodeURIComponent(JSON.stringify({ name: 'x'.repeat(MAX_QUERY_INPUT_BYTES) }))}`);
		await expectRefusal(response, 413, 'PAYLOAD_TOO_LARGE', /^the input in the URL is 8 KiB; at most 8 KiB is accepted/);
	});

	it('refuses a batch whose answers exceed the response budget (8 × MAX_SCRIPT_BYTES); one large Worker is served', async () => {
		const code = largeWorker(900 * 1024);
		for (const name of ['large-a', 'large-b', 'large-c', 'large-d', 'large-e'])
			await app.client.workers.upload.mutate({ name, code });
		const names = ['large-a', 'large-b', 'large-c', 'large-d', 'large-e', 'large-a', 'large-b', 'large-c', 'large-d', 'large-e'];
		const url = `${app.url}/api/trpc/${names.map(() => 'workers.get').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(names.map((name, index) => [index, { name }]))))}`;
		await expectRefusal(await fetch(url), 400, 'BAD_REQUEST', /^the answers to these 10 calls come to more than the 8 MiB one response may carry/);
		const one = await app.client.workers.get.query({ name: 'large-a' });
		expect(one.code).toBe(code);
		const three = await fetch(batchUrl('workers.get', 3, { name: 'large-b' }));
		expect(three.status).toBe(200);
		expect((await json(three)).map((result: any) => result.result.data.code)).toEqual([code, code, code]);
	});
});
