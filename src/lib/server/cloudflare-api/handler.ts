// The Workers for Platforms subset of Cloudflare's REST API, under /client/v4: the same paths, envelope,
// statuses and error codes, so wrangler, the `cloudflare` SDK and a platform's own upload code work against
// this platform by changing their base URL. It has no rules of its own: every operation calls the same
// services as tRPC with the caller's principal, so names, ownership, quotas and messages are the same.
//
// One account (PLATFORM_ACCOUNT_ID) with one dispatch namespace (PLATFORM_NAMESPACE): the Workers that
// /user-workers/* serves. A script's name is the Worker's name.
import { sha256Hex } from '../hashing';
import { REJECTED_TOKEN_MESSAGE, refusalMessage, type Session } from '../auth';
import { InputError } from '../errors';
import { readAtMost } from '../api-limits';
import type { Platform } from '../platform';
import { ANONYMOUS, type Principal } from '../principal';
import { LIST_LIMIT_MAX, type StoredWorker } from '../registry';
import { checkTags } from '../workers/service';
import { applyBindings, bindingsOfWorker, secretsEndpoint, type BindingsTarget } from './bindings';
import { CLOUDFLARE_API_PREFIX, CloudflareApiError, CODES, errorResponse, success, type ResultInfo } from './envelope';
import { bindingsOf, parseScriptUpload, parseSettings, readForm, refuseCompatibilityFlags } from './multipart';
import { maxBucketBodyBytes, MAX_MANIFEST_BODY_BYTES, startAssetUpload, uploadAssetBucket, uploadSessionOf } from './assets';
import { CLOUDFLARE_PART_TYPES, fromBase64, isBinaryKind, kindOf } from '../modules/kinds';

/** A JSON body (a namespace to create, a list of tags): small by nature. */
const MAX_JSON_BODY_BYTES = 64 * 1024;

interface Call {
	request: Request;
	url: URL;
	platform: Platform;
	caller: Principal;
	/** The route's parameters (`account`, `namespace`, `script`, `tag`, `secret`), decoded. */
	params: Record<string, string>;
}

type Operation = (call: Call) => Promise<Response>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Answers one request to /client/v4/…, always in the envelope. */
export async function handleCloudflareApi(request: Request, platform: Platform, session: Session): Promise<Response> {
	try {
		const url = new URL(request.url);
		const matched = route(url.pathname.slice(CLOUDFLARE_API_PREFIX.length));
		// A route its own bearer authorizes (an asset bucket's upload token, as on Cloudflare) needs no API token.
		const caller = matched?.uploadToken ? ANONYMOUS : authenticate(platform, session);
		if (!matched)
			throw new CloudflareApiError(404, CODES.noRoute, `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`);
		const { operations, params } = matched;
		const operation = operations[request.method as Method];
		if (!operation)
			throw new CloudflareApiError(405, CODES.methodNotAllowed, `${request.method} is not allowed here; use ${Object.keys(operations).join(', ')}`);
		const { accountId, namespace } = platform.config.cloudflareApi;
		if (params.account !== undefined && params.account !== accountId)
			throw new CloudflareApiError(403, CODES.authentication, `Authentication error: this platform's account is ${accountId} (PLATFORM_ACCOUNT_ID)`);
		if (params.namespace !== undefined && params.namespace !== namespace)
			throw new CloudflareApiError(
				404,
				CODES.namespaceNotFound,
				`Dispatch namespace not found: this platform serves one, "${namespace}" (PLATFORM_NAMESPACE)`
			);
		return await operation({ request, url, platform, caller, params });
	} catch (error) {
		return errorResponse(error);
	}
}

/** The caller, or Cloudflare's authentication errors (a wrong token also counts towards the throttle, in hooks). */
function authenticate(platform: Platform, session: Session): Principal {
	if (session.rejectedToken) throw new CloudflareApiError(403, CODES.authentication, `Authentication error: ${REJECTED_TOKEN_MESSAGE}`);
	if (session.principal.kind === 'anonymous')
		throw new CloudflareApiError(
			400,
			CODES.missingCredentials,
			`Missing X-Auth-Key, X-Auth-Email or Authorization headers: ${refusalMessage(platform.config)}`
		);
	return session.principal;
}

// Routes

const NAMESPACES = 'accounts/:account/workers/dispatch/namespaces';
const SCRIPT = `${NAMESPACES}/:namespace/scripts/:script`;

/** A route whose operations check the request's bearer themselves: an upload token, not an API token. */
const UPLOAD_TOKEN = { uploadToken: true } as const;

const ROUTES: [pattern: string, operations: Partial<Record<Method, Operation>>, options?: typeof UPLOAD_TOKEN][] = [
	['user/tokens/verify', { GET: verifyToken }],
	['accounts', { GET: listAccounts }],
	[NAMESPACES, { GET: listNamespaces, POST: createNamespace }],
	[`${NAMESPACES}/:namespace`, { GET: getNamespace, DELETE: deleteNamespace }],
	[`${NAMESPACES}/:namespace/scripts`, { GET: listScripts, DELETE: deleteScriptsByTags }],
	[SCRIPT, { GET: getScript, PUT: uploadScript, DELETE: deleteScript }],
	[`${SCRIPT}/content`, { GET: getContent, PUT: putContent }],
	[`${SCRIPT}/settings`, { GET: getSettings, PATCH: patchSettings }],
	[`${SCRIPT}/tags`, { GET: getTags, PUT: putTags }],
	[`${SCRIPT}/tags/:tag`, { PUT: addTag, DELETE: removeTag }],
	[`${SCRIPT}/secrets`, { GET: secrets, PUT: secrets }],
	[`${SCRIPT}/secrets/:secret`, { GET: secrets, DELETE: secrets }],
	// Static assets: the manifest opens a session, whose upload token authorizes its buckets.
	[`${SCRIPT}/assets-upload-session`, { POST: assetsUploadSession }],
	['accounts/:account/workers/assets/upload', { POST: assetBucket }, UPLOAD_TOKEN],
	// Account-level scripts (wrangler asks for their settings and secrets before a namespace deploy).
	['accounts/:account/workers/scripts/:script', { GET: noAccountScript }],
	['accounts/:account/workers/scripts/:script/:part', { GET: noAccountScript }]
];

/** The route of `path` (after /client/v4) with its parameters, or null. */
function route(path: string): { operations: Partial<Record<Method, Operation>>; params: Record<string, string>; uploadToken?: true } | null {
	const segments = path.split('/').filter(Boolean);
	for (const [pattern, operations, options] of ROUTES) {
		const parts = pattern.split('/');
		if (parts.length !== segments.length) continue;
		const params: Record<string, string> = {};
		const matches = parts.every((part, i) => {
			if (!part.startsWith(':')) return part === segments[i];
			params[part.slice(1)] = decodeSegment(segments[i]);
			return true;
		});
		if (matches) return { operations, params, ...options };
	}
	return null;
}

/** Whether `path` (after /client/v4) is a route its own bearer authorizes, which is no platform token (src/hooks.server.ts). */
export function takesUploadToken(path: string): boolean {
	try {
		return route(path)?.uploadToken === true;
	} catch {
		return false; // a path that is not valid URL encoding: the API answers it
	}
}

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw new CloudflareApiError(404, CODES.noRoute, `Could not route to ${segment}: it is not valid URL encoding`);
	}
}

/** POST /accounts/:account/workers/assets/upload: whoever holds a session's upload token may fill it. */
async function assetBucket({ request, url, platform }: Call) {
	let session: string;
	try {
		session = uploadSessionOf(request);
	} catch (error) {
		// Read to the end (within the bound, unparsed) so that the refusal reaches a client still sending.
		if (request.body) await readAtMost(request.body, maxBucketBodyBytes(platform.config.maxScriptBytes));
		throw error;
	}
	return uploadAssetBucket(platform, session, url, await readForm(request, maxBucketBodyBytes(platform.config.maxScriptBytes)));
}

async function assetsUploadSession({ request, platform, caller, params }: Call) {
	return startAssetUpload(platform, caller, params.script, await jsonBody(request, MAX_MANIFEST_BODY_BYTES));
}

// The token, accounts and the namespace

/** Cloudflare's "is my token good" check; a token that is not is refused before this runs. */
async function verifyToken({ caller }: Call) {
	return success({ id: caller.kind === 'customer' ? caller.tokenId : caller.kind, status: 'active' });
}

async function listAccounts({ platform }: Call) {
	const account = { id: platform.config.cloudflareApi.accountId, name: 'Workers Platform (local)', type: 'standard' };
	return success([account], { resultInfo: onePage(1) });
}

async function namespaceResult(call: Call) {
	const { namespace } = call.platform.config.cloudflareApi;
	return {
		namespace_id: await uuidOf(`namespace:${namespace}`),
		namespace_name: namespace,
		script_count: await scriptCount(call),
		trusted_workers: false
	};
}

async function listNamespaces(call: Call) {
	return success([await namespaceResult(call)], { resultInfo: onePage(1) });
}

async function getNamespace(call: Call) {
	return success(await namespaceResult(call));
}

async function createNamespace(call: Call): Promise<Response> {
	const body = await jsonBody(call.request);
	const name = (body as { name?: unknown } | null)?.name;
	if (typeof name !== 'string' || name === '') throw new InputError('name', 'name must be the new namespace\'s name');
	const { namespace } = call.platform.config.cloudflareApi;
	if (name === namespace) throw new CloudflareApiError(409, CODES.conflict, `a dispatch namespace named "${name}" already exists`);
	throw new CloudflareApiError(501, CODES.notImplemented, `this platform serves one dispatch namespace, "${namespace}"; it cannot create "${name}"`);
}

async function deleteNamespace(call: Call): Promise<Response> {
	throw new CloudflareApiError(
		405,
		CODES.methodNotAllowed,
		`the dispatch namespace "${call.params.namespace}" is the platform's own and is not deleted; delete its scripts instead`
	);
}

// Scripts

/** A Worker as the API describes a script (Cloudflare's `Script`); its id is the Worker's name. */
/**
 * The serving version's id as Cloudflare writes version ids (32 hex digits, which wrangler prints as the
 * "Current Version ID"): the script id's first 24 digits and the version number's 8.
 */
const versionId = (record: StoredWorker) => record.scriptId.replaceAll('-', '').slice(0, 24) + record.version.toString(16).padStart(8, '0');

function scriptResult(record: StoredWorker, tags: string[]) {
	return {
		id: record.name,
		deployment_id: versionId(record),
		tag: record.scriptId.replaceAll('-', ''),
		tags,
		etag: record.sha256,
		created_on: record.createdAt,
		modified_on: record.updatedAt,
		compatibility_date: record.compatibilityDate,
		compatibility_flags: [],
		handlers: ['fetch'],
		has_modules: true,
		has_assets: record.assets === true,
		logpush: false,
		usage_model: 'standard',
		tail_consumers: null
	};
}

async function getScript({ platform, caller, params }: Call) {
	const record = await platform.workers.get(caller, params.script);
	const tags = await platform.workers.tags(caller, params.script);
	return success({
		created_on: record.createdAt,
		modified_on: record.updatedAt,
		dispatch_namespace: params.namespace,
		script: scriptResult(record, tags)
	});
}

async function uploadScript({ request, url, platform, caller, params }: Call) {
	const inherit = url.searchParams.get('bindings_inherit');
	if (inherit !== null && inherit !== 'strict') throw new InputError('bindings_inherit', 'bindings_inherit must be "strict"');
	const upload = await parseScriptUpload(request, maxUploadBytes(platform));
	const tags = upload.tags === undefined ? undefined : checkTags(upload.tags);
	const record = await applyBindings(target({ platform, caller, params }), upload.bindings, (vars) =>
		platform.workers.upload(caller, { name: params.script, ...upload.modules, compatibilityDate: upload.compatibilityDate, vars, assets: upload.assets })
	);
	const stored = tags === undefined ? await platform.workers.tags(caller, params.script) : await platform.workers.setTags(caller, params.script, tags);
	return success({ ...scriptResult(record!, stored), startup_time_ms: 0 });
}

async function deleteScript({ platform, caller, params }: Call) {
	// `?force` deletes a script other scripts are bound to; nothing binds to a script here.
	await platform.workers.delete(caller, params.script);
	return success(null);
}

async function listScripts(call: Call) {
	const filters = tagFilters(call.url.searchParams.get('tags'));
	const page = positiveParam(call.url, 'page', 1, Number.MAX_SAFE_INTEGER);
	const perPage = positiveParam(call.url, 'per_page', LIST_LIMIT_MAX, LIST_LIMIT_MAX);
	const first = (page - 1) * perPage;
	const scripts: ReturnType<typeof scriptResult>[] = [];
	let total = 0;
	for await (const { record, tags } of scriptsOf(call, filters)) {
		if (total >= first && total < first + perPage) scripts.push(scriptResult(record, tags));
		total++;
	}
	return success(scripts, { resultInfo: { page, per_page: perPage, count: scripts.length, total_count: total } });
}

async function deleteScriptsByTags(call: Call) {
	const filters = tagFilters(call.url.searchParams.get('tags'));
	if (filters.length === 0) throw new InputError('tags', 'deleting scripts needs a tag filter like ?tags=customer:yes');
	// Every match first, then the deletes: deleting while listing would move the list's pages.
	const names: string[] = [];
	for await (const { record } of scriptsOf(call, filters)) names.push(record.name);
	for (const name of names) await call.platform.workers.delete(call.caller, name);
	return success(null);
}

// A script's content, settings, tags and secrets

async function getContent({ platform, caller, params }: Call) {
	const { mainModule, modules } = await platform.workers.get(caller, params.script);
	const form = new FormData();
	for (const [name, source] of Object.entries(modules)) form.append(name, contentPart(name, source));
	const response = new Response(form);
	response.headers.set('cf-entrypoint', mainModule);
	response.headers.set('cache-control', 'no-store');
	return response;
}

async function putContent({ request, platform, caller, params }: Call) {
	await platform.workers.get(caller, params.script);
	const upload = await parseScriptUpload(request, maxUploadBytes(platform));
	const record = await applyBindings(target({ platform, caller, params }), upload.bindings, (vars) =>
		platform.workers.upload(caller, {
			name: params.script,
			...upload.modules,
			compatibilityDate: upload.compatibilityDate,
			vars,
			// New code for the same Worker: its static assets stay.
			assets: { keep: true }
		})
	);
	return success(scriptResult(record!, await platform.workers.tags(caller, params.script)));
}

/** The settings this platform has for a Worker, in Cloudflare's shape. */
async function settingsResult({ platform, caller, params }: Pick<Call, 'platform' | 'caller' | 'params'>, record: StoredWorker) {
	return {
		bindings: await bindingsOfWorker(target({ platform, caller, params })),
		compatibility_date: record.compatibilityDate,
		compatibility_flags: [],
		limits: { cpu_ms: (record.limits ?? platform.config.limits).cpuMs },
		logpush: false,
		observability: { enabled: false },
		tags: await platform.workers.tags(caller, params.script),
		tail_consumers: null,
		usage_model: 'standard'
	};
}

async function getSettings(call: Call) {
	return success(await settingsResult(call, await call.platform.workers.get(call.caller, call.params.script)));
}

/** The settings a PATCH may change; any other is refused rather than silently dropped. */
const PATCHABLE_SETTINGS = new Set(['tags', 'compatibility_date', 'compatibility_flags', 'bindings', 'keep_bindings']);

async function patchSettings({ request, platform, caller, params }: Call) {
	const current = await platform.workers.get(caller, params.script);
	const settings = await parseSettings(request, MAX_JSON_BODY_BYTES);
	const unsupported = Object.keys(settings).filter((key) => !PATCHABLE_SETTINGS.has(key));
	if (unsupported.length > 0)
		throw new InputError(
			'settings',
			`settings ${unsupported.join(', ')} are not supported by this platform (it changes ${[...PATCHABLE_SETTINGS].join(', ')})`
		);
	refuseCompatibilityFlags(settings);
	const tags = settings.tags === undefined || settings.tags === null ? undefined : checkTags(settings.tags);
	const date = settings.compatibility_date;
	if (date !== undefined && typeof date !== 'string') throw new InputError('compatibilityDate', 'compatibility_date must be a string like 2026-08-01');
	const redeploy =
		date === undefined || date === current.compatibilityDate
			? undefined
			: (vars: Record<string, string | null>) =>
					platform.workers.upload(caller, {
						name: params.script,
						mainModule: current.mainModule,
						modules: current.modules,
						compatibilityDate: date,
						vars,
						assets: { keep: true }
					});
	const record = (await applyBindings(target({ platform, caller, params }), bindingsOf(settings), redeploy)) ?? current;
	if (tags !== undefined) await platform.workers.setTags(caller, params.script, tags);
	return success(await settingsResult({ platform, caller, params }, record));
}

async function getTags({ platform, caller, params }: Call) {
	const tags = await platform.workers.tags(caller, params.script);
	return success(tags, { resultInfo: onePage(tags.length) });
}

async function putTags({ request, platform, caller, params }: Call) {
	const tags = await platform.workers.setTags(caller, params.script, checkTags((await jsonBody(request)) ?? []));
	return success(tags, { resultInfo: onePage(tags.length) });
}

async function addTag({ platform, caller, params }: Call) {
	const tags = await platform.workers.tags(caller, params.script);
	await platform.workers.setTags(caller, params.script, [...tags, params.tag]);
	return success(null);
}

async function removeTag({ platform, caller, params }: Call) {
	const tags = await platform.workers.tags(caller, params.script);
	await platform.workers.setTags(caller, params.script, tags.filter((tag) => tag !== params.tag));
	return success(null);
}

async function secrets({ request, platform, caller, params }: Call) {
	return success(await secretsEndpoint(target({ platform, caller, params }), request.method, params.secret, () => jsonBody(request)));
}

async function noAccountScript({ platform }: Call): Promise<Response> {
	throw new CloudflareApiError(
		404,
		CODES.accountScriptNotFound,
		`This Worker does not exist on your account: this platform's Workers live in the dispatch namespace "${platform.config.cloudflareApi.namespace}"`
	);
}

// Helpers

function target({ platform, caller, params }: Pick<Call, 'platform' | 'caller' | 'params'>): BindingsTarget {
	return { workers: platform.workers, caller, name: params.script };
}

/**
 * A module as the content endpoint answers it: the source as uploaded, with the content type the API
 * gives its kind (TypeScript, which Cloudflare's API never holds, as application/typescript).
 */
function contentPart(name: string, source: string): File {
	const kind = kindOf(name) ?? 'esm';
	if (kind === 'typescript') return new File([source], name, { type: 'application/typescript' });
	if (kind === 'json') return new File([source], name, { type: 'application/json' });
	return new File([isBinaryKind(kind) ? fromBase64(source) : source], name, { type: CLOUDFLARE_PART_TYPES[kind] });
}

/** An upload's body: the script, its source map (wrangler sends one, often 2-3 times the code) and metadata. */
function maxUploadBytes(platform: Platform): number {
	return 4 * platform.config.maxScriptBytes + 64 * 1024;
}

interface TagFilter {
	tag: string;
	present: boolean;
}

/** `?tags=a:yes,b:no`: each filter's last colon separates the tag (which may hold colons) from yes/no. */
function tagFilters(value: string | null): TagFilter[] {
	if (value === null || value === '') return [];
	return value.split(',').map((filter) => {
		const match = filter.match(/^(.+):(yes|no)$/);
		if (!match) throw new InputError('tags', `tag filter ${JSON.stringify(filter)} must look like "customer:yes" or "staging:no"`);
		return { tag: match[1], present: match[2] === 'yes' };
	});
}

/** Every Worker the caller sees that passes `filters`, with its tags, page by page. */
async function* scriptsOf({ platform, caller }: Call, filters: TagFilter[]) {
	for (let cursor: string | undefined; ; ) {
		const page = await platform.workers.list(caller, { cursor, limit: LIST_LIMIT_MAX });
		const tags = await platform.workers.tagsOf(caller, page.workers);
		for (const record of page.workers) {
			const own = tags.get(record.name) ?? [];
			if (filters.every(({ tag, present }) => own.includes(tag) === present)) yield { record, tags: own };
		}
		if (!page.cursor) return;
		cursor = page.cursor;
	}
}

async function scriptCount(call: Call): Promise<number> {
	let count = 0;
	for (let cursor: string | undefined; ; ) {
		const page = await call.platform.workers.list(call.caller, { cursor, limit: LIST_LIMIT_MAX });
		count += page.workers.length;
		if (!page.cursor) return count;
		cursor = page.cursor;
	}
}

function positiveParam(url: URL, name: string, fallback: number, max: number): number {
	const value = url.searchParams.get(name);
	if (value === null) return fallback;
	const number = Number(value);
	if (!Number.isInteger(number) || number < 1 || number > max)
		throw new InputError(name, `${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
	return number;
}

function onePage(count: number): ResultInfo {
	return { page: 1, per_page: Math.max(count, 20), count, total_count: count };
}

async function jsonBody(request: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
	const bytes = request.body ? await readAtMost(request.body, maxBytes) : new Uint8Array();
	if (!bytes) throw new CloudflareApiError(413, CODES.tooLarge, `the request body is larger than ${maxBytes} bytes`);
	if (bytes.length === 0) return null;
	try {
		return JSON.parse(new TextDecoder().decode(bytes));
	} catch {
		throw new InputError('body', 'the request body is not valid JSON');
	}
}

/** A stable UUID-shaped id for `name` (the namespace's `namespace_id`). */
async function uuidOf(name: string): Promise<string> {
	const hex = (await sha256Hex(name)).slice(0, 32);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
