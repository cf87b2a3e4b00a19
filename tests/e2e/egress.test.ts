// A user Worker's fetch() is judged by the address it connects to, not by the name in its URL: names that
// resolve to this machine, and redirects that lead there, are refused with a 403 naming the rule, and the
// platform is not reached. The app runs in open mode, so a request that got through would replace a Worker.
// Traffic stays on loopback: a local test server stands in for the internet through the egress proxy's
// test-only settings (WFP_EGRESS_TEST_HOSTS, WFP_EGRESS_TEST_ALLOW).
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { hostname } from 'node:os';
import { gzipSync } from 'node:zlib';
import { useApp } from './use-app';

/** The stand-in for a server on the internet: what it received, and its answers. */
const internetRequests: string[] = [];
let redirectTarget = '';
const internet = createServer(async (request, response) => {
	let body = '';
	for await (const chunk of request) body += chunk;
	internetRequests.push(`${request.method} ${request.url}`);
	if (request.url === '/redirect') return response.writeHead(307, { location: redirectTarget }).end();
	if (request.url === '/gzip') return response.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('hello, compressed'));
	response.writeHead(200, { 'content-type': 'text/plain', 'x-from': 'internet' }).end(`hello from the internet: ${request.method} ${body}`);
});
// A WebSocket server that greets each client with one text message (and leaves closing to afterAll).
const webSockets: Duplex[] = [];
internet.on('upgrade', (request, socket: Duplex) => {
	webSockets.push(socket);
	internetRequests.push(`WebSocket ${request.url}`);
	const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
	const greeting = Buffer.from('hello over a WebSocket');
	socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
	socket.write(Buffer.concat([Buffer.from([0x81, greeting.length]), greeting]));
	socket.on('error', () => socket.destroy());
});
await new Promise<void>((resolve) => internet.listen(0, '127.0.0.1', resolve));
const internetPort = (internet.address() as AddressInfo).port;
afterAll(async () => {
	webSockets.forEach((socket) => socket.destroy());
	internet.closeAllConnections();
	await new Promise((resolve) => internet.close(resolve));
});

const app = useApp({
	WFP_EGRESS_TEST_HOSTS: JSON.stringify({ 'internet.test': '127.0.0.1', 'sneaky.test': '127.0.0.1' }),
	WFP_EGRESS_TEST_ALLOW: `127.0.0.1:${internetPort}`
});

/** A Worker that sends each request it is given and reports what came back. */
const PROBER = `export default {
	async fetch(request) {
		const results = [];
		for (const { url, method, body, webSocket } of await request.json()) {
			try {
				const headers = webSocket ? { upgrade: 'websocket' } : { 'content-type': 'application/json' };
				const response = await fetch(url, { method, body, headers });
				if (response.webSocket) {
					response.webSocket.accept();
					const message = await new Promise((resolve) => response.webSocket.addEventListener('message', (event) => resolve(event.data)));
					response.webSocket.close();
					results.push({ status: response.status, message });
				} else results.push({ status: response.status, body: await response.text() });
			} catch (error) {
				results.push({ error: String(error) });
			}
		}
		return Response.json(results);
	}
}`;

async function probe(requests: { url: string; method?: string; body?: string; webSocket?: boolean }[]) {
	const response = await fetch(`${app.url}/user-workers/prober/`, { method: 'POST', body: JSON.stringify(requests) });
	expect(response.status).toBe(200);
	return (await response.json()) as { status?: number; body?: string; message?: string; error?: string }[];
}

const ORIGINAL = 'export default { fetch: () => new Response("original") }';
const upload = (code: string) => JSON.stringify({ name: 'victim', code });

describe('egress by address', () => {
	it("refuses names and redirects that lead to this machine, and the platform is not reached", async () => {
		await app.client.workers.upload.mutate({ name: 'prober', code: PROBER });
		await app.client.workers.upload.mutate({ name: 'victim', code: ORIGINAL });
		const port = new URL(app.url).port;
		const machine = hostname();
		redirectTarget = `http://${machine}:${port}/api/trpc/workers.upload`;
		internetRequests.length = 0;

		const targets = [
			`http://${machine}:${port}/api/trpc/workers.upload`, // the machine's host name
			`http://localhost.:${port}/api/trpc/workers.upload`, // the fully qualified localhost
			`http://sneaky.test:${port}/api/trpc/workers.upload`, // a name the resolver maps to 127.0.0.1
			`http://internet.test:${internetPort}/redirect` // a 307 from "the internet" to the machine's host name
		];
		const results = await probe(targets.map((url, i) => ({ url, method: 'POST', body: upload(`export default { fetch: () => new Response("replaced ${i}") }`) })));

		const names = [machine, 'localhost.', 'sneaky.test', machine];
		for (const [i, result] of results.entries()) {
			expect(result.status, targets[i]).toBe(403);
			// The host name may resolve to loopback or to an interface of this machine.
			expect(result.body, targets[i]).toMatch(
				new RegExp(`^user Workers may not connect to \\S+ \\((loopback|this machine)\\), which ${names[i].replace(/\./g, '\\.')} resolves to; see SECURITY\\.md$`)
			);
		}
		// The Worker's fetch() follows the redirect; its second hop is refused, not its first.
		expect(internetRequests).toEqual(['POST /redirect']);
		expect(await (await fetch(`${app.url}/user-workers/victim/`)).text()).toBe('original');
		expect((await app.client.workers.get.query({ name: 'victim' })).code).toBe(ORIGINAL);
	});

	it('lets a request to an allowed address through: method, body, status and headers as sent', async () => {
		internetRequests.length = 0;
		const [get, post, gzip] = await probe([
			{ url: `http://internet.test:${internetPort}/hello` },
			{ url: `http://internet.test:${internetPort}/echo`, method: 'POST', body: 'a body' },
			{ url: `http://internet.test:${internetPort}/gzip` }
		]);
		expect(get).toEqual({ status: 200, body: 'hello from the internet: GET ' });
		expect(post).toEqual({ status: 200, body: 'hello from the internet: POST a body' });
		expect(gzip).toEqual({ status: 200, body: 'hello, compressed' });
		expect(internetRequests).toEqual(['GET /hello', 'POST /echo', 'GET /gzip']);
	});

	it('checks WebSocket connections the same way, and passes allowed ones through', async () => {
		internetRequests.length = 0;
		const port = new URL(app.url).port;
		const [allowed, refused] = await probe([
			{ url: `http://internet.test:${internetPort}/socket`, webSocket: true },
			{ url: `http://sneaky.test:${port}/`, webSocket: true }
		]);
		expect(allowed).toEqual({ status: 101, message: 'hello over a WebSocket' });
		expect(refused).toEqual({ status: 403, body: 'user Workers may not connect to 127.0.0.1 (loopback), which sneaky.test resolves to; see SECURITY.md' });
		expect(internetRequests).toEqual(['WebSocket /socket']);
	});

	it("refuses the allowed test server's address on other ports, and reports unknown names as network errors", async () => {
		const [otherPort, unknown] = await probe([{ url: `http://internet.test:${Number(app.url.split(':')[2])}/` }, { url: 'http://nowhere.invalid/' }]);
		expect(otherPort.status).toBe(403);
		expect(otherPort.body).toMatch(/^user Workers may not connect to 127\.0\.0\.1 \(loopback\), which internet\.test resolves to/);
		expect(unknown.error).toMatch(/could not resolve nowhere\.invalid/);
	});
});
