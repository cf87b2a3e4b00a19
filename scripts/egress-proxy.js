// The egress proxy: every fetch() of a user Worker run by the local runner leaves through here
// (src/lib/net/egress.ts is the runner's side). It runs in the supervisor's Node process, listens on
// loopback only and serves only callers that present the runner secret. For each request it
//  - resolves the host name (all addresses) and refuses with 403 if ANY of them is refused by
//    src/lib/net/addresses.ts (loopback, private, link-local/metadata, …, every address of this machine);
//  - connects to the address it checked: the connection's `lookup` returns that address, so a second DNS
//    answer (DNS rebinding) cannot swap it; TLS still verifies the certificate against the host name (SNI);
//  - never follows redirects: a 3xx goes back as is, and the user Worker's next hop comes through here again.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup } from 'node:dns/promises';
import { timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { canonicalAddress, machineAddresses, refusalFor } from '../src/lib/net/addresses.ts';
import { EGRESS_HEADER_PREFIX, EGRESS_HEADERS, hostOf, refusalMessage } from '../src/lib/net/egress.ts';

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1), and Host, which the URL sets. */
const CONNECTION_HEADERS = /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|host)$/;

/** @typedef {{ address: string, family: number }} ResolvedAddress */
/** @typedef {(hostname: string) => Promise<ResolvedAddress[]>} Resolver */

/** @type {Resolver} */
async function systemResolver(hostname) {
	return dnsLookup(hostname, { all: true, order: 'verbatim' });
}

/**
 * Settings for tests only, from the environment, read only when set:
 * WFP_EGRESS_TEST_HOSTS, a JSON object of host name → IP address the proxy resolves without DNS, and
 * WFP_EGRESS_TEST_ALLOW, comma-separated `address:port` pairs the proxy allows although their address is
 * refused (the e2e tests' loopback servers stand in for the internet that way). Never set them in production.
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ testHosts?: Record<string, string>, testAllow?: string[] }}
 */
export function egressTestSettings(env) {
	return {
		...(env.WFP_EGRESS_TEST_HOSTS && { testHosts: JSON.parse(env.WFP_EGRESS_TEST_HOSTS) }),
		...(env.WFP_EGRESS_TEST_ALLOW && { testAllow: env.WFP_EGRESS_TEST_ALLOW.split(',').map((pair) => pair.trim()) })
	};
}

/**
 * `tlsCa`: the certificates TLS connections trust instead of Node's default roots (tests only).
 * @param {{ secret: string, host?: string, port?: number, resolve?: Resolver,
 *   testHosts?: Record<string, string>, testAllow?: string[], tlsCa?: string[],
 *   connectTimeoutMs?: number, maxHeaderBytes?: number, maxSockets?: number, log?: (message: string) => void }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startEgressProxy({
	secret,
	host = '127.0.0.1',
	port = 0,
	resolve = systemResolver,
	testHosts,
	testAllow = [],
	tlsCa,
	connectTimeoutMs = 10_000,
	maxHeaderBytes = 32 * 1024,
	maxSockets = 256,
	log = (message) => console.log(`[egress] ${message}`)
}) {
	if (canonicalAddress(host) === null || refusalFor(host)?.rule !== 'loopback') throw new Error(`the egress proxy listens on loopback only, not ${host}`);
	if (testHosts || testAllow.length) log(`test-only settings in effect: hosts ${JSON.stringify(testHosts ?? {})}, allowed ${testAllow.join(', ') || 'none'}`);
	const secretBytes = Buffer.from(secret);
	// Connections to the internet are kept alive and reused, at most maxSockets at a time per protocol.
	const agents = {
		'http:': new http.Agent({ keepAlive: true, maxTotalSockets: maxSockets, maxFreeSockets: 32 }),
		'https:': new https.Agent({ keepAlive: true, maxTotalSockets: maxSockets, maxFreeSockets: 32, ...(tlsCa && { ca: tlsCa }) })
	};
	// This machine's addresses, read again at most every 10 s (interfaces come and go).
	const machine = { addresses: machineAddresses(networkInterfaces()), readAt: Date.now() };
	const thisMachine = () => {
		if (Date.now() - machine.readAt > 10_000) Object.assign(machine, { addresses: machineAddresses(networkInterfaces()), readAt: Date.now() });
		return machine.addresses;
	};

	/** @param {http.ServerResponse} response @param {number} status @param {string} message */
	const answer = (response, status, message) => {
		response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
		response.end(message);
	};
	/** A failure the runner turns into a rejected fetch(), as a network error would be without the proxy. */
	const networkError = (/** @type {http.ServerResponse} */ response, /** @type {string} */ message) => {
		if (response.headersSent) return void response.destroy();
		response.writeHead(502, { [EGRESS_HEADERS.error]: encodeURIComponent(message), 'content-length': 0 });
		response.end();
	};

	/** @param {string} hostname @returns {Promise<ResolvedAddress[]>} */
	async function addressesOf(hostname) {
		const literal = canonicalAddress(hostname);
		if (literal !== null) return [{ address: literal, family: literal.includes(':') ? 6 : 4 }];
		const name = hostname.replace(/\.$/, '').toLowerCase();
		// RFC 6761: localhost and its subdomains are this machine, whatever a resolver says.
		if (name === 'localhost' || name.endsWith('.localhost')) return [{ address: '127.0.0.1', family: 4 }];
		if (testHosts && Object.hasOwn(testHosts, name)) return [{ address: testHosts[name], family: testHosts[name].includes(':') ? 6 : 4 }];
		return resolve(name);
	}

	/** @param {http.IncomingMessage} request @param {http.ServerResponse} response */
	async function handle(request, response) {
		const presented = Buffer.from(String(request.headers[EGRESS_HEADERS.secret] ?? ''));
		if (presented.length !== secretBytes.length || !timingSafeEqual(presented, secretBytes)) return answer(response, 403, 'forbidden');
		let target;
		try {
			target = new URL(String(request.headers[EGRESS_HEADERS.url]));
		} catch {
			return answer(response, 400, `${EGRESS_HEADERS.url} must be an absolute URL`);
		}
		if (target.protocol !== 'http:' && target.protocol !== 'https:') return answer(response, 400, `only http: and https: URLs, not ${target.protocol}`);
		const hostname = hostOf(target);
		const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);

		let addresses;
		try {
			addresses = await addressesOf(hostname);
		} catch (error) {
			return networkError(response, `could not resolve ${hostname}: ${/** @type {NodeJS.ErrnoException} */ (error).code ?? error}`);
		}
		if (addresses.length === 0) return networkError(response, `could not resolve ${hostname}: no addresses`);
		for (const { address } of addresses) {
			const refusal = refusalFor(address, thisMachine());
			if (refusal && !testAllow.includes(`${refusal.address}:${port}`)) return answer(response, 403, refusalMessage(refusal, hostname));
		}
		const pinned = { address: /** @type {string} */ (canonicalAddress(addresses[0].address)), family: addresses[0].family };

		const headers = /** @type {Record<string, string[]>} */ ({});
		const named = String(request.headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim());
		for (let i = 0; i < request.rawHeaders.length; i += 2) {
			const name = request.rawHeaders[i].toLowerCase();
			if (CONNECTION_HEADERS.test(name) || named.includes(name) || name.startsWith(EGRESS_HEADER_PREFIX)) continue;
			(headers[name] ??= []).push(request.rawHeaders[i + 1]);
		}
		const isHttps = target.protocol === 'https:';
		const upstream = (isHttps ? https : http).request({
			agent: agents[target.protocol],
			host: hostname,
			port,
			path: target.pathname + target.search,
			method: request.method,
			headers,
			maxHeaderSize: maxHeaderBytes,
			// The address checked above, whatever DNS answers now; Node asks with `all` when it races families.
			lookup: (_name, options, callback) =>
				/** @type {any} */ (options).all ? callback(null, [pinned]) : callback(null, pinned.address, pinned.family),
			...(isHttps && canonicalAddress(hostname) === null && { servername: hostname })
		});
		const connectTimer = setTimeout(() => upstream.destroy(new Error(`connecting to ${hostname}:${port} timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs);
		upstream.on('socket', (socket) => {
			if (!socket.connecting) clearTimeout(connectTimer);
			else socket.once('connect', () => clearTimeout(connectTimer));
		});
		upstream.on('response', (answered) => {
			clearTimeout(connectTimer);
			const forwarded = [];
			for (let i = 0; i < answered.rawHeaders.length; i += 2) {
				const name = answered.rawHeaders[i].toLowerCase();
				if (!/^(connection|keep-alive|transfer-encoding|proxy-.*)$/.test(name) && !name.startsWith(EGRESS_HEADER_PREFIX))
					forwarded.push(answered.rawHeaders[i], answered.rawHeaders[i + 1]);
			}
			response.writeHead(answered.statusCode ?? 502, answered.statusMessage, forwarded);
			answered.pipe(response);
			answered.on('error', () => response.destroy());
		});
		upstream.on('error', (error) => {
			clearTimeout(connectTimer);
			networkError(response, `${target.protocol}//${target.host}: ${/** @type {NodeJS.ErrnoException} */ (error).code ?? error.message}`);
		});
		// The user Worker going away (its request cancelled) ends the upstream request too.
		response.on('close', () => {
			if (!response.writableFinished) upstream.destroy();
		});
		request.pipe(upstream);
	}

	const server = http.createServer({ maxHeaderSize: maxHeaderBytes, headersTimeout: 10_000 }, (request, response) => {
		handle(request, response).catch((error) => networkError(response, String(error?.message ?? error)));
	});
	// A WebSocket or other upgrade is not proxied: the user Worker's fetch() gets a clear answer.
	server.on('upgrade', (_request, socket) => {
		socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nthe local runner does not proxy WebSocket connections from user Workers');
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
		async stop() {
			await new Promise((resolve) => {
				server.close(() => resolve(undefined));
				server.closeAllConnections();
			});
			agents['http:'].destroy();
			agents['https:'].destroy();
		}
	};
}
