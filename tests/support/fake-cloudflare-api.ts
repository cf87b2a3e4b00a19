// A local stand-in for the Cloudflare REST API's Workers for Platforms script endpoints, speaking their
// wire format: the `{ success, errors: [{ code, message }], messages, result }` envelope, Bearer token
// auth, multipart/form-data uploads with a JSON `metadata` part naming the main module's part.
// It is strict where the real API is: requests the real API would refuse are refused here too, with
// the real error codes and HTTP statuses. Plain node:http, no dependencies; runs in Node (vitest
// globalSetup for the workers project) and is reached from workerd over loopback.
//
//   PUT    /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts/:script   upload
//   GET    /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts/:script/content
//   DELETE /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts/:script?force=true
//   DELETE /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts?tags=<tag>:yes|no
//   POST   /client/v4/zones/:zone/custom_hostnames          Cloudflare for SaaS: pending, with TXT records
//   GET    /client/v4/zones/:zone/custom_hostnames/:id
//   DELETE /client/v4/zones/:zone/custom_hostnames/:id
//   POST   /__fake/custom_hostnames/:id/activate  (not Cloudflare's: the customer's DNS proved the domain)
//   PUT    /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts/:script/secrets   JSON { name, text, type }
//   DELETE /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts/:script/secrets/:name
//   POST   /client/v4/accounts/:account/workers/dispatch/namespaces/:ns/scripts/:script/assets-upload-session
//          JSON { manifest: { "/path": { hash, size } } } -> { jwt, buckets } (static assets, Direct Uploads)
//   POST   /client/v4/accounts/:account/workers/assets/upload?base64=true   Bearer <upload JWT>, multipart:
//          one part per hash, its value the file in base64 -> 202, or 201 { jwt: completion } for the last
//   GET    /__fake/scripts/:script   (not Cloudflare's: how the stand-in DISPATCHER reads what it runs)
//   GET    /__fake/requests          (not Cloudflare's: every API request so far, for assertions)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parse } from 'acorn';

export interface FakeCloudflareApiOptions {
	accountId: string;
	apiToken: string;
	namespace: string;
	/** The zone whose custom hostnames the API manages. */
	zoneId: string;
}

interface StoredCustomHostname {
	id: string;
	hostname: string;
	status: 'pending' | 'active';
	ssl: { method: string; type: string };
	verification: string;
	createdAt: string;
}

export interface StoredScript {
	mainModule: string;
	compatibilityDate: string;
	/** Each module's source (wasm and data modules as base64). */
	modules: Record<string, string>;
	/** Each module's part content type, which gives its kind (MODULE_TYPES). */
	moduleTypes: Record<string, string>;
	/** The upload metadata's `tags`. */
	tags: string[];
	/** plain_text and secret_text bindings: what the script sees on env. */
	bindings: TextBinding[];
	/** The upload metadata's `tail_consumers`: the Tail Workers that receive the script's events. */
	tailConsumers: { service: string; environment?: string; namespace?: string }[];
	/** Changes with every upload and secret change (the real API's script etag). */
	etag: string;
	/** Its static assets (metadata.assets with a completion JWT): path -> file, the config, and the binding's name. */
	assets?: { files: Record<string, StoredAsset>; config: unknown; binding: string | null };
	createdOn: string;
	modifiedOn: string;
}

export interface StoredAsset {
	hash: string;
	size: number;
	/** The Content-Type of the part it was uploaded in (the real API serves the file with it). */
	contentType: string;
	/** The file's bytes, base64. */
	base64: string;
}

/** An assets upload session: its manifest and the hashes still to be uploaded (Direct Uploads). */
interface AssetSession {
	manifest: Record<string, { hash: string; size: number }>;
	pending: Set<string>;
}

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
}

export interface FakeCloudflareApi {
	/** The origin; the SDK's base URL is `${url}/client/v4`. */
	url: string;
	scripts: Map<string, StoredScript>;
	requests: RecordedRequest[];
	close(): Promise<void>;
}

/** A module containing this text is refused by the fake's "startup check" with a 10021 validation error. */
export const REJECTED_BY_API_MARKER = 'fake-cloudflare-api:reject';

const MODULE_TYPE = 'application/javascript+module';
/** The module part content types the API reads, as wrangler sends them, by the kind each gives the module. */
const MODULE_TYPES: Record<string, 'esm' | 'commonjs' | 'text' | 'data' | 'wasm'> = {
	[MODULE_TYPE]: 'esm',
	'application/javascript': 'commonjs',
	'text/javascript': 'commonjs',
	'text/plain': 'text',
	'application/octet-stream': 'data',
	'application/wasm': 'wasm'
};
const BINARY_KINDS = ['data', 'wasm'];
const TEXT_BINDING_TYPES = ['plain_text', 'secret_text'] as const;

export interface TextBinding {
	type: (typeof TEXT_BINDING_TYPES)[number];
	name: string;
	text: string;
}

interface ApiError {
	code: number;
	message: string;
}

class ApiFailure extends Error {
	constructor(
		readonly status: number,
		readonly errors: ApiError[]
	) {
		super(errors.map((e) => e.message).join('; '));
	}
}

const validation = (message: string) => new ApiFailure(400, [{ code: 10021, message }]);
const bindingNotFound = (name: string) => new ApiFailure(404, [{ code: 10056, message: `Binding name '${name}' not found.` }]);
const scriptNotFound = () =>
	new ApiFailure(404, [{ code: 10007, message: 'This Worker does not exist on your account.' }]);

export async function startFakeCloudflareApi(options: FakeCloudflareApiOptions): Promise<FakeCloudflareApi> {
	const scripts = new Map<string, StoredScript>();
	const customHostnames = new Map<string, StoredCustomHostname>();
	const requests: RecordedRequest[] = [];
	// Static assets: the account's uploaded files by hash, and the upload and completion JWTs it issued.
	const assetFiles = new Map<string, { base64: string; contentType: string }>();
	const uploadTokens = new Map<string, AssetSession>();
	const completionTokens = new Map<string, AssetSession['manifest']>();

	function completion(manifest: AssetSession['manifest']): string {
		const jwt = `fake-completion.${crypto.randomUUID()}`;
		completionTokens.set(jwt, manifest);
		return jwt;
	}

	/** The Direct Uploads endpoints of static assets, or null for any other path. */
	async function handleAssets(request: IncomingMessage, url: URL): Promise<{ status: number; body: BodyInit; type: string } | null> {
		const session = url.pathname.match(
			/^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)\/scripts\/([^/]+)\/assets-upload-session$/
		);
		const upload = url.pathname.match(/^\/client\/v4\/accounts\/([^/]+)\/workers\/assets\/upload$/);
		if (!session && !upload) return null;
		requests.push({ method: request.method!, path: url.pathname, query: Object.fromEntries(url.searchParams) });
		if (request.method !== 'POST') throw new ApiFailure(405, [{ code: 10405, message: 'Method not allowed' }]);
		if (session) {
			authenticate(request, session[1]);
			if (decodeURIComponent(session[2]) !== options.namespace)
				throw new ApiFailure(404, [{ code: 100119, message: 'Dispatch namespace not found' }]);
			const body = JSON.parse((await readBody(request)).toString('utf8') || 'null') as { manifest?: unknown } | null;
			const manifest = body?.manifest;
			if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
				throw validation('manifest must be an object of "/path": { hash, size }');
			for (const [path, entry] of Object.entries(manifest as Record<string, { hash?: unknown; size?: unknown }>)) {
				if (!path.startsWith('/')) throw validation(`manifest path ${JSON.stringify(path)} must start with "/"`);
				if (typeof entry?.hash !== 'string' || !/^[0-9a-f]{32}$/.test(entry.hash))
					throw validation(`manifest ${path}: hash must be 32 hexadecimal characters`);
				if (!Number.isSafeInteger(entry.size) || (entry.size as number) < 0 || (entry.size as number) > 25 * 1024 * 1024)
					throw validation(`manifest ${path}: size must be 0 to 26214400 bytes`);
			}
			const declared = manifest as AssetSession['manifest'];
			const missing = [...new Set(Object.values(declared).map((entry) => entry.hash))].filter((hash) => !assetFiles.has(hash));
			if (missing.length === 0) return envelope(200, { jwt: completion(declared), buckets: [] });
			const jwt = `fake-upload.${crypto.randomUUID()}`;
			uploadTokens.set(jwt, { manifest: declared, pending: new Set(missing) });
			const buckets: string[][] = [];
			for (let i = 0; i < missing.length; i += 2) buckets.push(missing.slice(i, i + 2));
			return envelope(200, { jwt, buckets });
		}
		if (upload![1] !== options.accountId) throw new ApiFailure(403, [{ code: 10000, message: 'Authentication error' }]);
		const token = request.headers.authorization?.startsWith('Bearer ') ? request.headers.authorization.slice('Bearer '.length) : '';
		const open = uploadTokens.get(token);
		if (!open) throw new ApiFailure(401, [{ code: 10001, message: 'Unauthorized: the upload JWT is missing, invalid or expired' }]);
		if (url.searchParams.get('base64') !== 'true') throw validation('base64 must be true: file contents are sent base64-encoded');
		const type = request.headers['content-type'] ?? '';
		if (!type.startsWith('multipart/form-data')) throw validation(`Expected multipart/form-data, got "${type || 'no content type'}"`);
		const form = await new Response(new Uint8Array(await readBody(request)), { headers: { 'content-type': type } }).formData();
		for (const [hash, value] of form.entries()) {
			if (!open.pending.has(hash) && !assetFiles.has(hash)) throw validation(`${hash} is not a file of this upload session's manifest`);
			const base64 = typeof value === 'string' ? value : await value.text();
			if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw validation(`the part ${hash} is not base64`);
			const size = Buffer.from(base64, 'base64').byteLength;
			const expected = Object.values(open.manifest).find((entry) => entry.hash === hash)!.size;
			if (size !== expected) throw validation(`the part ${hash} is ${size} bytes; the manifest says ${expected}`);
			assetFiles.set(hash, { base64, contentType: typeof value === 'string' ? 'application/null' : value.type || 'application/null' });
			open.pending.delete(hash);
		}
		if (open.pending.size > 0) return envelope(202, { jwt: null });
		uploadTokens.delete(token);
		return envelope(201, { jwt: completion(open.manifest) });
	}

	/** The assets metadata.assets names: its completion JWT must be one this API issued. */
	function assetsOf(value: unknown, binding: string | null): StoredScript['assets'] {
		const { jwt, config } = (value ?? {}) as { jwt?: unknown; config?: unknown };
		const manifest = typeof jwt === 'string' ? completionTokens.get(jwt) : undefined;
		if (!manifest) throw validation('metadata.assets.jwt must be a completion token of an assets upload session');
		const files = Object.fromEntries(
			Object.entries(manifest).map(([path, { hash, size }]) => [path, { hash, size, ...assetFiles.get(hash)! }])
		);
		return { files, config: config ?? null, binding };
	}

	/** A custom hostname as the API answers it: while pending, the TXT records that prove ownership. */
	const customHostnameResult = (h: StoredCustomHostname) => ({
		id: h.id,
		hostname: h.hostname,
		status: h.status,
		created_at: h.createdAt,
		ssl: {
			method: h.ssl.method,
			type: h.ssl.type,
			status: h.status === 'active' ? 'active' : 'pending_validation',
			...(h.status === 'pending' && { validation_records: [{ txt_name: `_acme-challenge.${h.hostname}`, txt_value: h.verification }] })
		},
		...(h.status === 'pending' && {
			ownership_verification: { type: 'txt', name: `_cf-custom-hostname.${h.hostname}`, value: h.id }
		})
	});

	async function handleCustomHostnames(request: IncomingMessage, url: URL): Promise<{ status: number; body: BodyInit; type: string } | null> {
		const activate = url.pathname.match(/^\/__fake\/custom_hostnames\/([^/]+)\/activate$/);
		if (activate) {
			const found = customHostnames.get(activate[1]);
			if (found) found.status = 'active';
			return { status: found ? 200 : 404, body: found ? 'ok' : 'no such custom hostname', type: 'text/plain' };
		}
		const route = url.pathname.match(/^\/client\/v4\/zones\/([^/]+)\/custom_hostnames(?:\/([^/]+))?$/);
		if (!route) return null;
		requests.push({ method: request.method!, path: url.pathname, query: Object.fromEntries(url.searchParams) });
		authenticateToken(request);
		if (route[1] !== options.zoneId) throw new ApiFailure(404, [{ code: 1001, message: 'Invalid zone identifier' }]);
		const id = route[2];
		if (request.method === 'POST' && !id) {
			const chunks: Buffer[] = [];
			for await (const chunk of request) chunks.push(chunk as Buffer);
			let body: { hostname?: unknown; ssl?: { method?: unknown; type?: unknown } };
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				throw new ApiFailure(400, [{ code: 1400, message: 'Invalid JSON body' }]);
			}
			if (typeof body.hostname !== 'string' || !body.hostname.includes('.'))
				throw new ApiFailure(400, [{ code: 1409, message: 'The custom hostname you provided is invalid.' }]);
			if ([...customHostnames.values()].some((h) => h.hostname === body.hostname))
				throw new ApiFailure(409, [{ code: 1406, message: 'Duplicate custom hostname found.' }]);
			const stored: StoredCustomHostname = {
				id: crypto.randomUUID(),
				hostname: body.hostname,
				status: 'pending',
				ssl: { method: String(body.ssl?.method ?? 'http'), type: String(body.ssl?.type ?? 'dv') },
				verification: crypto.randomUUID().replaceAll('-', ''),
				createdAt: new Date().toISOString()
			};
			customHostnames.set(stored.id, stored);
			return envelope(200, customHostnameResult(stored));
		}
		const found = id ? customHostnames.get(id) : undefined;
		if (!found) throw new ApiFailure(404, [{ code: 1436, message: 'The custom hostname was not found.' }]);
		if (request.method === 'GET') return envelope(200, customHostnameResult(found));
		if (request.method === 'DELETE') {
			customHostnames.delete(found.id);
			return envelope(200, { id: found.id });
		}
		throw new ApiFailure(405, [{ code: 10405, message: 'Method not allowed' }]);
	}

	async function handle(request: IncomingMessage, url: URL): Promise<{ status: number; body: BodyInit; type: string }> {
		const fake = url.pathname.match(/^\/__fake\/scripts\/([^/]+)$/);
		if (fake) {
			const script = scripts.get(decodeURIComponent(fake[1]));
			return script
				? { status: 200, body: JSON.stringify(script), type: 'application/json' }
				: { status: 404, body: 'no such script', type: 'text/plain' };
		}
		if (url.pathname === '/__fake/requests') return { status: 200, body: JSON.stringify(requests), type: 'application/json' };
		const hostnames = await handleCustomHostnames(request, url);
		if (hostnames) return hostnames;
		const assets = await handleAssets(request, url);
		if (assets) return assets;
		requests.push({ method: request.method!, path: url.pathname, query: Object.fromEntries(url.searchParams) });

		const byTags = url.pathname.match(/^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)\/scripts$/);
		if (byTags && request.method === 'DELETE') {
			authenticate(request, byTags[1]);
			if (decodeURIComponent(byTags[2]) !== options.namespace)
				throw new ApiFailure(404, [{ code: 100119, message: 'Dispatch namespace not found' }]);
			// The filter's last colon separates the tag (which may hold colons itself) from yes/no.
			const filter = (url.searchParams.get('tags') ?? '').match(/^([^,]+):(yes|no)$/);
			if (!filter) throw validation('tags must be one filter like "customer:yes" or "staging:no"');
			const [, tag, wanted] = filter;
			for (const [name, script] of scripts) if (script.tags.includes(tag) === (wanted === 'yes')) scripts.delete(name);
			return envelope(200, null);
		}
		const route = url.pathname.match(
			/^\/client\/v4\/accounts\/([^/]+)\/workers\/dispatch\/namespaces\/([^/]+)\/scripts\/([^/]+)(\/content|\/secrets(?:\/([^/]+))?)?$/
		);
		if (!route) {
			const message = `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`;
			throw new ApiFailure(404, [{ code: 7003, message }]);
		}
		authenticate(request, route[1]);
		// The real API's wording; its code for this case is not documented, so the fake's is a placeholder.
		if (decodeURIComponent(route[2]) !== options.namespace)
			throw new ApiFailure(404, [{ code: 100119, message: 'Dispatch namespace not found' }]);
		const name = decodeURIComponent(route[3]);
		const method = request.method;

		if (route[4]?.startsWith('/secrets')) {
			const script = scripts.get(name);
			if (!script) throw scriptNotFound();
			const secretName = route[5] === undefined ? undefined : decodeURIComponent(route[5]);
			if (method === 'PUT' && secretName === undefined) {
				const secret = await parseSecret(request);
				script.bindings = [...script.bindings.filter((b) => b.name !== secret.name), secret];
				script.etag = crypto.randomUUID().replaceAll('-', '');
				return envelope(200, { name: secret.name, type: secret.type });
			}
			if (method === 'DELETE' && secretName !== undefined) {
				if (!script.bindings.some((b) => b.type === 'secret_text' && b.name === secretName)) throw bindingNotFound(secretName);
				script.bindings = script.bindings.filter((b) => b.name !== secretName);
				script.etag = crypto.randomUUID().replaceAll('-', '');
				return envelope(200, null);
			}
			throw new ApiFailure(405, [{ code: 10405, message: 'Method not allowed' }]);
		}
		if (route[4]) {
			if (method !== 'GET') throw new ApiFailure(405, [{ code: 10405, message: 'Method not allowed' }]);
			const script = scripts.get(name);
			if (!script) throw scriptNotFound();
			const form = new FormData();
			for (const [module, code] of Object.entries(script.modules)) {
				const type = script.moduleTypes[module];
				form.append(module, new File([BINARY_KINDS.includes(MODULE_TYPES[type]) ? Buffer.from(code, 'base64') : code], module, { type }));
			}
			const response = new Response(form);
			return { status: 200, body: await response.arrayBuffer(), type: response.headers.get('content-type')! };
		}

		if (method === 'PUT') {
			const stored = await parseUpload(request, url, name, scripts.get(name), assetsOf);
			scripts.set(name, stored);
			return envelope(200, {
				id: name,
				etag: stored.etag,
				created_on: stored.createdOn,
				modified_on: stored.modifiedOn,
				compatibility_date: stored.compatibilityDate,
				has_modules: true,
				handlers: ['fetch'],
				usage_model: 'standard'
			});
		}
		if (method === 'DELETE') {
			if (!scripts.delete(name)) throw scriptNotFound();
			return envelope(200, null);
		}
		throw new ApiFailure(405, [{ code: 10405, message: 'Method not allowed' }]);
	}

	function authenticateToken(request: IncomingMessage) {
		const authorization = request.headers.authorization;
		if (!authorization?.startsWith('Bearer '))
			throw new ApiFailure(400, [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }]);
		if (authorization.slice('Bearer '.length) !== options.apiToken) throw new ApiFailure(403, [{ code: 10000, message: 'Authentication error' }]);
	}

	function authenticate(request: IncomingMessage, accountId: string) {
		authenticateToken(request);
		if (accountId !== options.accountId) throw new ApiFailure(403, [{ code: 10000, message: 'Authentication error' }]);
	}

	const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
		const url = new URL(request.url!, 'http://fake.invalid');
		let answer: { status: number; body: BodyInit; type: string };
		try {
			answer = await handle(request, url);
		} catch (error) {
			answer =
				error instanceof ApiFailure
					? envelope(error.status, null, error.errors)
					: envelope(500, null, [{ code: 10013, message: `fake API bug: ${(error as Error).message}` }]);
		}
		response.writeHead(answer.status, { 'content-type': answer.type });
		response.end(Buffer.from(await new Response(answer.body).arrayBuffer()));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		scripts,
		requests,
		close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
	};
}

function envelope(status: number, result: unknown, errors: ApiError[] = []) {
	return {
		status,
		type: 'application/json',
		body: JSON.stringify({ success: errors.length === 0, errors, messages: [], result })
	};
}

/** Reads a script upload the way the real endpoint does, refusing what it refuses. */
async function parseUpload(
	request: IncomingMessage,
	url: URL,
	name: string,
	previous: StoredScript | undefined,
	assetsOf: (value: unknown, binding: string | null) => StoredScript['assets']
): Promise<StoredScript> {
	if (!/^[a-z0-9_-]{1,63}$/i.test(name))
		throw validation(`Script name "${name}" is invalid: use 1-63 letters, digits, "-" or "_"`);
	const type = request.headers['content-type'] ?? '';
	if (!type.startsWith('multipart/form-data'))
		throw validation(`Expected multipart/form-data, got "${type || 'no content type'}"`);
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	let form: FormData;
	try {
		form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
	} catch {
		throw validation('Could not parse the multipart/form-data body');
	}
	if (url.searchParams.has('bindings_inherit') && url.searchParams.get('bindings_inherit') !== 'strict')
		throw validation('bindings_inherit must be "strict"');

	const metadataPart = form.get('metadata');
	if (metadataPart === null) throw validation('No metadata part: expected a "metadata" part with the JSON metadata');
	let metadata: {
		main_module?: unknown;
		compatibility_date?: unknown;
		body_part?: unknown;
		tags?: unknown;
		bindings?: unknown;
		keep_bindings?: unknown;
		assets?: unknown;
		tail_consumers?: unknown;
	};
	try {
		metadata = JSON.parse(typeof metadataPart === 'string' ? metadataPart : await metadataPart.text());
	} catch {
		throw validation('The "metadata" part is not valid JSON');
	}
	if (typeof metadata !== 'object' || metadata === null) throw validation('The "metadata" part must be a JSON object');
	if (metadata.body_part !== undefined)
		throw validation('body_part (Service Worker syntax) is not supported here; upload an ES module with main_module');
	if (typeof metadata.main_module !== 'string' || metadata.main_module === '')
		throw validation('metadata.main_module is required: the name of the part holding the main ES module');
	const compatibilityDate = metadata.compatibility_date;
	const dateShaped = typeof compatibilityDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(compatibilityDate);
	if (compatibilityDate !== undefined && !dateShaped)
		throw validation(`metadata.compatibility_date must look like 2026-08-01, got ${JSON.stringify(compatibilityDate)}`);

	const tags = metadata.tags ?? [];
	if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== '' && !tag.includes(',')))
		throw validation('metadata.tags must be an array of non-empty strings without commas');

	const modules: Record<string, string> = {};
	const moduleTypes: Record<string, string> = {};
	for (const [part, value] of form.entries()) {
		if (part === 'metadata') continue;
		const partType = typeof value === 'string' ? 'text/plain' : value.type;
		const kind = MODULE_TYPES[partType];
		if (typeof value === 'string' || kind === undefined)
			throw validation(`Part "${part}" has unsupported Content-Type "${partType}"; modules need one of ${Object.keys(MODULE_TYPES).join(', ')}`);
		modules[part] = BINARY_KINDS.includes(kind) ? Buffer.from(await value.arrayBuffer()).toString('base64') : await value.text();
		moduleTypes[part] = partType;
	}
	const main = modules[metadata.main_module];
	if (main === undefined)
		throw validation(`No such module "${metadata.main_module}": main_module must name a part of the upload`);
	if (MODULE_TYPES[moduleTypes[metadata.main_module]] !== 'esm')
		throw validation(`main_module "${metadata.main_module}" must be an ES module (${MODULE_TYPE})`);
	for (const [name, code] of Object.entries(modules)) {
		const kind = MODULE_TYPES[moduleTypes[name]];
		if (kind !== 'esm' && kind !== 'commonjs') continue;
		try {
			parse(code, { ecmaVersion: 'latest', sourceType: kind === 'esm' ? 'module' : 'script' });
		} catch (error) {
			throw validation(`Uncaught SyntaxError: ${(error as Error).message} at ${name}`);
		}
	}
	if (main.includes(REJECTED_BY_API_MARKER))
		throw validation(`Uncaught Error: the script failed its startup check at ${metadata.main_module}:1:1`);

	const allBindings = (metadata.bindings ?? []) as unknown[];
	if (!Array.isArray(allBindings)) throw validation('metadata.bindings must be an array');
	// An `assets` binding (the Worker's ASSETS) needs metadata.assets; the others are text bindings.
	const isAssets = (binding: unknown) => (binding as { type?: unknown } | null)?.type === 'assets';
	const assetsBinding = allBindings.find(isAssets) as { name?: unknown } | undefined;
	if (assetsBinding && (typeof assetsBinding.name !== 'string' || metadata.assets === undefined))
		throw validation('an assets binding needs a name and metadata.assets');
	const bindings = allBindings.filter((binding) => !isAssets(binding));
	const named = bindings.map((binding) => textBinding(binding));
	const keep = (metadata.keep_bindings ?? []) as unknown[];
	if (!Array.isArray(keep) || keep.some((type) => typeof type !== 'string'))
		throw validation('metadata.keep_bindings must be an array of binding types');
	const kept = (previous?.bindings ?? []).filter((b) => keep.includes(b.type) && !named.some((n) => n.name === b.name));
	const tailConsumers = (metadata.tail_consumers ?? []) as StoredScript['tailConsumers'];
	if (!Array.isArray(tailConsumers) || !tailConsumers.every((consumer) => typeof consumer?.service === 'string' && consumer.service !== ''))
		throw validation('metadata.tail_consumers must be an array of { service: "<Worker name>" }');

	const now = new Date().toISOString();
	return {
		mainModule: metadata.main_module,
		compatibilityDate: (compatibilityDate as string | undefined) ?? '2021-11-03',
		modules,
		moduleTypes,
		tags,
		bindings: [...kept, ...named],
		...(metadata.assets !== undefined && { assets: assetsOf(metadata.assets, (assetsBinding?.name as string | undefined) ?? null) }),
		tailConsumers,
		etag: crypto.randomUUID().replaceAll('-', ''),
		createdOn: previous?.createdOn ?? now,
		modifiedOn: now
	};
}

/** A plain_text or secret_text binding as the API reads one (upload metadata, or the secrets endpoint's body). */
function textBinding(value: unknown): TextBinding {
	const { type, name, text } = (value ?? {}) as Record<string, unknown>;
	if (!TEXT_BINDING_TYPES.includes(type as TextBinding['type']))
		throw validation(`binding type ${JSON.stringify(type)} is not supported here (plain_text, secret_text)`);
	if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
		throw validation(`binding name ${JSON.stringify(name)} must be a valid JavaScript identifier`);
	if (typeof text !== 'string') throw validation(`binding ${name} needs a string "text"`);
	return { type: type as TextBinding['type'], name, text };
}

async function parseSecret(request: IncomingMessage): Promise<TextBinding> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	let body: unknown;
	try {
		body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw validation('The request body is not valid JSON');
	}
	const secret = textBinding(body);
	if (secret.type !== 'secret_text') throw validation('type must be "secret_text"');
	return secret;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
