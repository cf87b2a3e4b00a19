// The egress proxy (scripts/egress-proxy.js) against real loopback servers. Loopback stands in for the
// internet through the proxy's test-only allowance for one address and port; every other address is judged
// as in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectSocket, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { startEgressProxy } from '../../scripts/egress-proxy.js';
import { EGRESS_HEADERS } from '$lib/net/egress';

const SECRET = 'test-secret';

interface Seen {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

let upstream: Server;
let upstreamPort: number;
/** An https server whose certificate names internet.test only; the proxy trusts it for this test. */
let tlsUpstream: Server;
let tlsPort: number;
const tlsServerNames: (string | false | null)[] = [];
const seen: Seen[] = [];
let proxy: Awaited<ReturnType<typeof startEgressProxy>>;
const resolverCalls: string[] = [];
/** The names the test's resolver knows; system DNS is never asked. */
const dnsAnswers: Record<string, { address: string; family: number }[]> = {
	'internet.test': [{ address: '127.0.0.1', family: 4 }],
	'sneaky.test': [{ address: '127.0.0.1', family: 4 }],
	'sneaky6.test': [{ address: '::1', family: 6 }],
	'other-name.test': [{ address: '127.0.0.1', family: 4 }],
	// Both allowed for the test server's port, which listens on IPv4 only.
	'dual.test': [
		{ address: '::1', family: 6 },
		{ address: '127.0.0.1', family: 4 }
	],
	// The first address is the test server's (allowed); the second is refused, so the name is refused.
	// Every address here is loopback or unroutable, so even a broken check sends no traffic off this machine.
	'mixed.test': [
		{ address: '127.0.0.1', family: 4 },
		{ address: '::ffff:7f00:2', family: 6 }
	]
};

beforeAll(async () => {
	upstream = createServer(async (request, response) => {
		let body = '';
		for await (const chunk of request) body += chunk;
		seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
		if (request.url === '/redirect') return response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
		response.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes', [EGRESS_HEADERS.error]: 'forged' });
		response.end(`hello ${body}`);
	});
	await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
	upstreamPort = (upstream.address() as AddressInfo).port;

	const certDir = mkdtempSync(join(tmpdir(), 'wfp-egress-tls-'));
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=internet.test',
		'-addext', 'subjectAltName=DNS:internet.test', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
	const [key, cert] = ['key.pem', 'cert.pem'].map((file) => readFileSync(join(certDir, file), 'utf8'));
	rmSync(certDir, { recursive: true, force: true });
	tlsUpstream = createTlsServer({ key, cert }, (request, response) => {
		tlsServerNames.push((request.socket as TLSSocket).servername);
		response.end('hello over TLS');
	});
	await new Promise<void>((resolve) => tlsUpstream.listen(0, '127.0.0.1', resolve));
	tlsPort = (tlsUpstream.address() as AddressInfo).port;

	proxy = await startEgressProxy({
		secret: SECRET,
		resolve: async (name: string) => {
			resolverCalls.push(name);
			const answer = dnsAnswers[name];
			if (!answer) throw Object.assign(new Error(`unknown name ${name}`), { code: 'ENOTFOUND' });
			return answer;
		},
		testAllow: [`127.0.0.1:${upstreamPort}`, `::1:${upstreamPort}`, `127.0.0.1:${tlsPort}`],
		tlsCa: [cert],
		maxHeaderBytes: 8 * 1024,
		log: () => {}
	});
});
afterAll(async () => {
	await proxy?.stop();
	await new Promise((resolve) => upstream?.close(resolve));
	await new Promise((resolve) => tlsUpstream?.close(resolve));
});

/** A request to the proxy as the runner's UserOutbound sends it. */
function viaProxy(target: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
	return fetch(proxy.url, {
		...init,
		redirect: 'manual',
		headers: { ...init.headers, [EGRESS_HEADERS.url]: target, [EGRESS_HEADERS.secret]: init.headers?.[EGRESS_HEADERS.secret] ?? SECRET }
	});
}

/**
 * A loopback listener that never accepts: a backlog of one (0 means Node's default) and an event loop blocked as soon as it listens.
 * Once the backlog is full, the kernel leaves further connection attempts hanging. Prints its port.
 */
const NEVER_ACCEPTING_LISTENER = `
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
	process.stdout.write(server.address().port + '\\n');
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
});
`;

/** node:http, which sends any header (fetch() drops Connection and the headers it names). */
function rawRequest(headers: Record<string, string>): Promise<{ status: number }> {
	return new Promise((resolve, reject) => {
		const request = httpRequest(proxy.url, { headers: { [EGRESS_HEADERS.secret]: SECRET, ...headers } }, (response) => {
			response.resume();
			response.on('end', () => resolve({ status: response.statusCode! }));
		});
		request.on('error', reject);
		request.end();
	});
}

describe('egress proxy', () => {
	it('listens on loopback only', async () => {
		expect(new URL(proxy.url).hostname).toBe('127.0.0.1');
		await expect(startEgressProxy({ secret: SECRET, host: '0.0.0.0', log: () => {} })).rejects.toThrow(/loopback only/);
	});

	it('serves only callers with the runner secret', async () => {
		const response = await viaProxy(`http://internet.test:${upstreamPort}/`, { headers: { [EGRESS_HEADERS.secret]: 'wrong' } });
		expect(response.status).toBe(403);
		expect(await response.text()).toBe('forbidden');
		expect((await fetch(proxy.url)).status).toBe(403);
	});

	it.each([
		['http://127.0.0.1:8787/', 'user Workers may not connect to 127.0.0.1 (loopback); see SECURITY.md'],
		['http://[::1]:8787/', 'user Workers may not connect to ::1 (loopback); see SECURITY.md'],
		['http://[::ffff:7f00:1]/', 'user Workers may not connect to ::ffff:7f00:1 (loopback: 127.0.0.1 as IPv4-mapped IPv6); see SECURITY.md'],
		['http://localhost:8787/', 'user Workers may not connect to 127.0.0.1 (loopback), which localhost resolves to; see SECURITY.md'],
		['http://localhost.:8787/', 'user Workers may not connect to 127.0.0.1 (loopback), which localhost. resolves to; see SECURITY.md'],
		['http://app.localhost/', 'user Workers may not connect to 127.0.0.1 (loopback), which app.localhost resolves to; see SECURITY.md'],
		['http://sneaky.test:8787/api/trpc/workers.list', 'user Workers may not connect to 127.0.0.1 (loopback), which sneaky.test resolves to; see SECURITY.md'],
		['http://sneaky6.test:8787/', 'user Workers may not connect to ::1 (loopback), which sneaky6.test resolves to; see SECURITY.md'],
		// One refused address among allowed ones refuses the name.
		['http://mixed.test:PORT/', 'user Workers may not connect to ::ffff:7f00:2 (loopback: 127.0.0.2 as IPv4-mapped IPv6), which mixed.test resolves to; see SECURITY.md']
	])('refuses %s with a 403 naming the rule', async (target, message) => {
		const response = await viaProxy(target.replace('PORT', String(upstreamPort)));
		expect(response.status).toBe(403);
		expect(await response.text()).toBe(message);
	});

	it("refuses the test server's address on any other port: the test allowance is for one address and port", async () => {
		const response = await viaProxy(`http://internet.test:${upstreamPort + 1}/`);
		expect(response.status).toBe(403);
	});

	it('forwards the method, headers and body, and answers with the response as is', async () => {
		seen.length = 0;
		const response = await viaProxy(`http://internet.test:${upstreamPort}/path?q=1`, {
			method: 'POST',
			body: 'world',
			headers: { 'x-mine': 'kept', [`${EGRESS_HEADERS.url}-extra`]: 'dropped' }
		});
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('hello world');
		expect(response.headers.get('x-upstream')).toBe('yes');
		expect(response.headers.get(EGRESS_HEADERS.error)).toBeNull();
		expect(seen).toHaveLength(1);
		expect(seen[0]).toMatchObject({ method: 'POST', url: '/path?q=1', body: 'world' });
		expect(seen[0].headers['x-mine']).toBe('kept');
		expect(seen[0].headers.host).toBe(`internet.test:${upstreamPort}`);
		expect(Object.keys(seen[0].headers).filter((name) => name.startsWith('x-wfp-'))).toEqual([]);
	});

	it('drops the headers of its own connection: Connection and those it names, Keep-Alive, Upgrade', async () => {
		seen.length = 0;
		const target = `http://internet.test:${upstreamPort}/`;
		const { status } = await rawRequest({ [EGRESS_HEADERS.url]: target, connection: 'keep-alive, x-hop', 'x-hop': 'dropped', 'keep-alive': 'timeout=5', 'x-mine': 'kept' });
		expect(status).toBe(200);
		expect(seen[0].headers).toMatchObject({ 'x-mine': 'kept' });
		expect(Object.keys(seen[0].headers).filter((name) => ['x-hop', 'keep-alive'].includes(name))).toEqual([]);
	});

	it('connects to the address it checked, without a second lookup (DNS rebinding)', async () => {
		// "internet.test" exists only in the test's resolver: a second lookup by Node would fail with ENOTFOUND.
		resolverCalls.length = 0;
		const response = await viaProxy(`http://internet.test:${upstreamPort}/pinned`, { headers: { connection: 'close' } });
		expect(response.status).toBe(200);
		await response.text();
		expect(resolverCalls).toEqual(['internet.test']);
	});

	it('tries every address it checked, and no other, when the first cannot be reached', async () => {
		resolverCalls.length = 0;
		const response = await viaProxy(`http://dual.test:${upstreamPort}/`);
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('hello ');
		expect(resolverCalls).toEqual(['dual.test']);
	});

	it('does not follow redirects: each hop comes back through the runner', async () => {
		seen.length = 0;
		const response = await viaProxy(`http://internet.test:${upstreamPort}/redirect`);
		expect(response.status).toBe(302);
		expect(response.headers.get('location')).toBe('http://127.0.0.1:1/');
		expect(seen.map((request) => request.url)).toEqual(['/redirect']);
	});

	it('verifies TLS certificates against the host name, sent as SNI, while connecting to the checked address', async () => {
		tlsServerNames.length = 0;
		const good = await viaProxy(`https://internet.test:${tlsPort}/`);
		expect(good.status).toBe(200);
		expect(await good.text()).toBe('hello over TLS');
		expect(tlsServerNames).toEqual(['internet.test']);

		for (const host of ['other-name.test', '127.0.0.1']) {
			const wrongName = await viaProxy(`https://${host}:${tlsPort}/`);
			expect(wrongName.status, host).toBe(502);
			expect(decodeURIComponent(wrongName.headers.get(EGRESS_HEADERS.error)!), host).toBe(`https://${host}:${tlsPort}: ERR_TLS_CERT_ALTNAME_INVALID`);
		}
	});

	it('gives up on a connection that is not made within connectTimeoutMs', async () => {
		const listener = spawn(process.execPath, ['-e', NEVER_ACCEPTING_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
		const fillers: Socket[] = [];
		let impatient: Awaited<ReturnType<typeof startEgressProxy>> | undefined;
		try {
			const port = Number(await new Promise<string>((resolve) => listener.stdout.once('data', (chunk) => resolve(String(chunk)))));
			// Fill the backlog: the first connections complete, the next ones wait.
			for (let i = 0; i < 3; i++) fillers.push(connectSocket(port, '127.0.0.1').on('error', () => {}));
			await new Promise((resolve) => fillers[0].once('connect', resolve));
			impatient = await startEgressProxy({ secret: SECRET, testHosts: { 'slow.test': '127.0.0.1' }, testAllow: [`127.0.0.1:${port}`], connectTimeoutMs: 300, log: () => {} });
			const response = await fetch(impatient.url, {
				headers: { [EGRESS_HEADERS.url]: `http://slow.test:${port}/`, [EGRESS_HEADERS.secret]: SECRET },
				signal: AbortSignal.timeout(3000)
			});
			expect(response.status).toBe(502);
			expect(decodeURIComponent(response.headers.get(EGRESS_HEADERS.error)!)).toBe(`http://slow.test:${port}: connecting to slow.test:${port} timed out after 300 ms`);
		} finally {
			fillers.forEach((socket) => socket.destroy());
			listener.kill('SIGKILL');
			await impatient?.stop();
		}
	});

	it('reports names that do not resolve and refused connections as network errors', async () => {
		const unknown = await viaProxy('http://nowhere.test/');
		expect(unknown.status).toBe(502);
		expect(decodeURIComponent(unknown.headers.get(EGRESS_HEADERS.error)!)).toBe('could not resolve nowhere.test: ENOTFOUND');
	});

	it('bounds the size of request headers', async () => {
		const { status } = await rawRequest({ 'x-big': 'a'.repeat(16 * 1024) });
		expect(status).toBe(431);
	});
});
