// The egress proxy: every fetch() of a user Worker run by the local runner leaves through here
// (src/lib/net/egress.ts is the runner's side). It runs in the supervisor's Node process, listens on
// loopback only and serves only callers that present the runner secret. For each request it
//  - resolves the host name (all addresses) and refuses with 403 if ANY of them is refused by
//    src/lib/net/addresses.ts (loopback, private, link-local/metadata, …, every address of this machine);
//  - connects to an address it checked: the connection's `lookup` returns the checked addresses, so a second
//    DNS answer (DNS rebinding) cannot swap them; TLS still verifies the certificate against the host name (SNI);
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

	/**
	 * What the proxy answers itself: a refusal or bad request (a body the user Worker reads), or a network
	 * failure (a header the runner turns into a rejected fetch(), as without the proxy).
	 * @typedef {{ status: number, message: string, networkError?: boolean }} OwnAnswer
	 * @typedef {{ target: URL, hostname: string, port: number, addresses: ResolvedAddress[], headers: Record<string, string[]> }} CheckedRequest
	 */
	/** @param {OwnAnswer} own @returns {{ status: number, headers: Record<string, string | number>, body: string }} */
	const ownResponse = ({ status, message, networkError }) =>
		networkError
			? { status, headers: { [EGRESS_HEADERS.error]: encodeURIComponent(message), 'content-length': 0 }, body: '' }
			: { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) }, body: message };
	/** @param {string} message @returns {OwnAnswer} */
	const networkError = (message) => ({ status: 502, message, networkError: true });

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

	/**
	 * The caller's secret, the target URL, every address its host resolves to: either the checked request
	 * (with the address to connect to and the headers to send) or what to answer instead.
	 * @param {http.IncomingMessage} request @returns {Promise<CheckedRequest | OwnAnswer>}
	 */
	async function check(request) {
		const presented = Buffer.from(String(request.headers[EGRESS_HEADERS.secret] ?? ''));
		if (presented.length !== secretBytes.length || !timingSafeEqual(presented, secretBytes)) return { status: 403, message: 'forbidden' };
		let target;
		try {
			target = new URL(String(request.headers[EGRESS_HEADERS.url]));
		} catch {
			return { status: 400, message: `${EGRESS_HEADERS.url} must be an absolute URL` };
		}
		if (target.protocol !== 'http:' && target.protocol !== 'https:') return { status: 400, message: `only http: and https: URLs, not ${target.protocol}` };
		const hostname = hostOf(target);
		const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);

		let resolved;
		try {
			resolved = await addressesOf(hostname);
		} catch (error) {
			return networkError(`could not resolve ${hostname}: ${/** @type {NodeJS.ErrnoException} */ (error).code ?? error}`);
		}
		if (resolved.length === 0) return networkError(`could not resolve ${hostname}: no addresses`);
		for (const { address } of resolved) {
			const refusal = refusalFor(address, thisMachine());
			if (refusal && !testAllow.includes(`${refusal.address}:${port}`)) return { status: 403, message: refusalMessage(refusal, hostname) };
		}
		const addresses = resolved.map(({ address, family }) => ({ address: /** @type {string} */ (canonicalAddress(address)), family }));

		const headers = /** @type {Record<string, string[]>} */ ({});
		const named = String(request.headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim());
		for (let i = 0; i < request.rawHeaders.length; i += 2) {
			const name = request.rawHeaders[i].toLowerCase();
			if (CONNECTION_HEADERS.test(name) || named.includes(name) || name.startsWith(EGRESS_HEADER_PREFIX)) continue;
			(headers[name] ??= []).push(request.rawHeaders[i + 1]);
		}
		return { target, hostname, port, addresses, headers };
	}

	/**
	 * The request to a checked address, given up if it has not connected within connectTimeoutMs.
	 * @param {CheckedRequest} checked @param {string | undefined} method @param {Record<string, string>} [extraHeaders]
	 */
	function connect({ target, hostname, port, addresses, headers }, method, extraHeaders = {}) {
		const isHttps = target.protocol === 'https:';
		const upstream = (isHttps ? https : http).request({
			agent: agents[/** @type {'http:' | 'https:'} */ (target.protocol)],
			host: hostname,
			port,
			path: target.pathname + target.search,
			method,
			headers: { ...headers, ...extraHeaders },
			maxHeaderSize: maxHeaderBytes,
			// The addresses checked above, whatever DNS answers now: all of them when Node races IPv4 and IPv6
			// (it asks with `all`), else the first.
			lookup: (_name, options, callback) =>
				/** @type {any} */ (options).all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family),
			...(isHttps && canonicalAddress(hostname) === null && { servername: hostname })
		});
		const connectTimer = setTimeout(() => upstream.destroy(new Error(`connecting to ${hostname}:${port} timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs);
		upstream.on('socket', (socket) => {
			if (!socket.connecting) clearTimeout(connectTimer);
			else socket.once('connect', () => clearTimeout(connectTimer));
		});
		upstream.on('close', () => clearTimeout(connectTimer));
		return upstream;
	}

	/** The response's headers minus those of its connection, as a flat list of names and values. */
	const responseHeaders = (/** @type {http.IncomingMessage} */ answered) => {
		const forwarded = [];
		for (let i = 0; i < answered.rawHeaders.length; i += 2) {
			const name = answered.rawHeaders[i].toLowerCase();
			if (!/^(connection|keep-alive|transfer-encoding|upgrade|proxy-.*)$/.test(name) && !name.startsWith(EGRESS_HEADER_PREFIX))
				forwarded.push(answered.rawHeaders[i], answered.rawHeaders[i + 1]);
		}
		return forwarded;
	};
	/** @param {CheckedRequest} checked @param {unknown} error */
	const failure = ({ target }, error) => networkError(`${target.protocol}//${target.host}: ${/** @type {NodeJS.ErrnoException} */ (error).code ?? /** @type {Error} */ (error).message}`);

	/** @param {http.IncomingMessage} request @param {http.ServerResponse} response */
	async function handle(request, response) {
		const checked = await check(request);
		if ('status' in checked) {
			const own = ownResponse(checked);
			return void response.writeHead(own.status, own.headers).end(own.body);
		}
		const upstream = connect(checked, request.method);
		upstream.on('response', (answered) => {
			response.writeHead(answered.statusCode ?? 502, answered.statusMessage, responseHeaders(answered));
			answered.pipe(response);
			answered.on('error', () => response.destroy());
		});
		upstream.on('error', (error) => {
			if (response.headersSent) return void response.destroy();
			const own = ownResponse(failure(checked, error));
			response.writeHead(own.status, own.headers).end(own.body);
		});
		// The user Worker going away (its request cancelled) ends the upstream request too.
		response.on('close', () => {
			if (!response.writableFinished) upstream.destroy();
		});
		request.pipe(upstream);
	}

	/**
	 * A WebSocket (or other protocol upgrade), checked like any request; once the server switches
	 * protocols, bytes flow both ways untouched.
	 * @param {http.IncomingMessage} request @param {import('node:stream').Duplex} socket @param {Buffer} head
	 */
	async function handleUpgrade(request, socket, head) {
		socket.on('error', () => socket.destroy());
		/** @param {number} status @param {string | undefined} statusMessage @param {(string | number)[]} headers */
		const writeHead = (status, statusMessage, headers) => {
			let text = `HTTP/1.1 ${status} ${statusMessage ?? http.STATUS_CODES[status] ?? ''}\r\n`;
			for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
			socket.write(`${text}\r\n`);
		};
		/** @param {OwnAnswer} answer */
		const answerOwn = (answer) => {
			const own = ownResponse(answer);
			writeHead(own.status, undefined, [...Object.entries(own.headers).flat(), 'connection', 'close']);
			socket.end(own.body);
		};
		const checked = await check(request);
		if ('status' in checked) return answerOwn(checked);
		const upstream = connect(checked, request.method, { connection: 'Upgrade', upgrade: String(request.headers.upgrade) });
		upstream.on('upgrade', (answered, upstreamSocket, upstreamHead) => {
			writeHead(101, answered.statusMessage, [...responseHeaders(answered), 'connection', 'Upgrade', 'upgrade', String(answered.headers.upgrade)]);
			if (upstreamHead.length) socket.write(upstreamHead);
			if (head.length) upstreamSocket.write(head);
			upstreamSocket.on('error', () => socket.destroy());
			socket.on('close', () => upstreamSocket.destroy());
			upstreamSocket.on('close', () => socket.destroy());
			upstreamSocket.pipe(socket).pipe(upstreamSocket);
		});
		// The server declined to switch protocols: its answer goes back as is.
		upstream.on('response', (answered) => {
			writeHead(answered.statusCode ?? 502, answered.statusMessage, [...responseHeaders(answered), 'connection', 'close']);
			answered.pipe(socket);
		});
		upstream.on('error', (error) => answerOwn(failure(checked, error)));
		upstream.end();
	}

	const server = http.createServer({ maxHeaderSize: maxHeaderBytes, headersTimeout: 10_000 }, (request, response) => {
		handle(request, response).catch((error) => response.destroy(error));
	});
	server.on('upgrade', (request, socket, head) => {
		handleUpgrade(request, socket, head).catch(() => socket.destroy());
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
