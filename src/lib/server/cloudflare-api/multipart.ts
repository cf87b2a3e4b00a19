// Script uploads as Cloudflare's API takes them: multipart/form-data with a JSON `metadata` part and one
// part per module. Two ways of naming the module parts reach it, and both are read:
// - wrangler (and the platform's own cloudflare backend): each module is a part named by its file name;
// - the `cloudflare` SDK 6.x: every module is a part named `files`, the module's name being the file name.
// The metadata's `main_module` (or the CF-WORKER-MAIN-MODULE-PART header) names the main module.
// A module's kind comes from its name's extension, as in `workers.upload`; a part whose content type
// names another kind is refused (JavaScript's two types are not told apart: SDKs send ES modules as
// application/javascript, which Cloudflare reads as CommonJS). Wasm and data modules become base64. This parses; what is allowed is decided by the workers service (the
// module checks of src/lib/server/modules/bundle.ts) and by bindings.ts.
import { InputError } from '../errors';
import { readAtMost } from '../api-limits';
import { CloudflareApiError, CODES } from './envelope';
import { scriptAssetsOf, type ScriptAssets } from './assets';
import { formatBytes } from '$lib/format';
import { isBinaryKind, KIND_NAMES, kindOf, MODULE_EXTENSIONS, toBase64, type ModuleKind, type ModuleSet } from '../modules/kinds';

/** The `plain_text` and `secret_text` bindings of an upload or a settings change. */
export interface ScriptBindings {
	/** `plain_text` bindings: name → text. */
	vars: Record<string, string>;
	/** `secret_text` bindings: name → value. */
	secrets: Record<string, string>;
	/** Binding types (`secret_text`, …) whose current bindings the Worker keeps (`keep_bindings`). */
	keepBindings: string[];
}

export interface ScriptUpload {
	/** The modules, by their part names (or the SDK's file names). */
	modules: ModuleSet;
	compatibilityDate?: string;
	/** Absent when the upload names no tags: the Worker keeps its own. */
	tags?: unknown[];
	bindings: ScriptBindings;
	/** Its static assets: a completed upload session, the serving version's (`keep_assets`), or none. */
	assets: ScriptAssets;
}


/** Source maps ride along with wrangler's uploads; the platform has no use for them. */
const SOURCE_MAP_TYPE = 'application/source-map';

/** The kinds a part's content type allows; a type not listed (application/octet-stream, none) allows any. */
const KINDS_OF_TYPE: Readonly<Record<string, readonly ModuleKind[]>> = {
	'application/javascript+module': ['esm', 'typescript'],
	'application/javascript': ['esm', 'commonjs', 'typescript'],
	'text/javascript': ['esm', 'commonjs', 'typescript'],
	'application/json': ['json'],
	'text/plain': ['text'],
	'application/wasm': ['wasm']
};

/** Python Workers' module types, which this platform does not run. */
const PYTHON_TYPE = 'text/x-python';

/** The SDK's part name for modules (the module's name is then the part's file name). */
const SDK_MODULES_PART = 'files';

/** The upload in `request`, or an InputError naming what is wrong with it. */
export async function parseScriptUpload(request: Request, maxBytes: number): Promise<ScriptUpload> {
	const form = await readForm(request, maxBytes);
	const metadata = await jsonPart(form, 'metadata');
	if (metadata.body_part !== undefined || request.headers.has('cf-worker-body-part'))
		throw new InputError(
			'metadata',
			'Service Worker syntax (body_part) is not supported: upload an ES module and name it in metadata.main_module'
		);
	const mainName = metadata.main_module ?? request.headers.get('cf-worker-main-module-part');
	if ((typeof mainName !== 'string' || mainName === '') && metadata.assets !== undefined)
		throw new InputError('metadata', 'a Worker of static assets alone is not supported: this platform serves assets beside a Worker script (set `main` in the wrangler config)');
	if (typeof mainName !== 'string' || mainName === '')
		throw new InputError('metadata', 'metadata.main_module is required: the name of the module part holding the Worker');
	refuseCompatibilityFlags(metadata);
	const assets = scriptAssetsOf(metadata);

	const modules = await modulesOf(form);
	if (modules[mainName] === undefined)
		throw new InputError(
			'code',
			`main_module "${mainName}" names no module of the upload (its modules: ${Object.keys(modules).join(', ') || 'none'})`
		);

	return {
		modules: { mainModule: mainName, modules },
		compatibilityDate: optionalString(metadata, 'compatibility_date'),
		tags: optionalArray(metadata, 'tags'),
		bindings: bindingsOf(metadata),
		assets
	};
}

/** A settings change (PATCH …/settings): the JSON `settings` part. */
export async function parseSettings(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
	return jsonPart(await readForm(request, maxBytes), 'settings');
}

/** The `plain_text` and `secret_text` bindings and `keep_bindings` of metadata or settings. */
export function bindingsOf(metadata: Record<string, unknown>): ScriptBindings {
	const bindings: ScriptBindings = { vars: {}, secrets: {}, keepBindings: [] };
	for (const binding of optionalArray(metadata, 'bindings') ?? []) {
		const { type, name, text } = (binding ?? {}) as Record<string, unknown>;
		if (typeof name !== 'string' || name === '')
			throw new InputError('bindings', `each binding needs a name, got ${JSON.stringify(binding)}`);
		if (type === 'plain_text' || type === 'secret_text') {
			if (typeof text !== 'string') throw new InputError('bindings', `binding "${name}" (${type}) needs its text as a string`);
			(type === 'plain_text' ? bindings.vars : bindings.secrets)[name] = text;
		} else if (type === 'assets') {
			// A version with assets always has them as env.ASSETS (README, "Static assets").
			if (name !== 'ASSETS')
				throw new InputError('bindings', `the assets binding is named ASSETS on this platform, not "${name}": set assets.binding to "ASSETS"`);
		} else
			throw new InputError(
				'bindings',
				`binding "${name}" has type ${JSON.stringify(type)}, which this platform does not offer (it offers plain_text, secret_text and assets)`
			);
	}
	const keep = optionalArray(metadata, 'keep_bindings') ?? [];
	if (!keep.every((type) => typeof type === 'string'))
		throw new InputError('bindings', 'metadata.keep_bindings must be an array of binding types like "secret_text"');
	bindings.keepBindings = keep as string[];
	return bindings;
}

/** Refuses compatibility flags: the platform runs every Worker with its compatibility date alone. */
export function refuseCompatibilityFlags(metadata: Record<string, unknown>): void {
	const flags = optionalArray(metadata, 'compatibility_flags') ?? [];
	if (flags.length > 0)
		throw new InputError(
			'compatibilityFlags',
			`compatibility_flags are not supported yet (got ${flags.map((flag) => JSON.stringify(flag)).join(', ')}): remove them`
		);
}

export async function readForm(request: Request, maxBytes: number): Promise<FormData> {
	const type = request.headers.get('content-type') ?? '';
	if (!type.toLowerCase().startsWith('multipart/form-data'))
		throw new InputError('metadata', `expected a multipart/form-data body, got ${type ? JSON.stringify(type) : 'no content type'}`);
	const tooLarge = () =>
		new CloudflareApiError(413, CODES.tooLarge, `the request body is larger than the ${formatBytes(maxBytes)} one upload may carry`);
	if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
	const body = request.body ? await readAtMost(request.body, maxBytes) : new Uint8Array();
	if (!body) throw tooLarge();
	try {
		return await new Response(body, { headers: { 'content-type': type } }).formData();
	} catch {
		throw new InputError('metadata', 'the multipart/form-data body could not be parsed');
	}
}

/** The JSON object in part `name` (a text field or a file). */
async function jsonPart(form: FormData, name: string): Promise<Record<string, unknown>> {
	const part = form.get(name);
	if (part === null) throw new InputError(name, `the upload has no "${name}" part: send its JSON as a part named ${name}`);
	let value: unknown;
	try {
		value = JSON.parse(typeof part === 'string' ? part : await part.text());
	} catch {
		throw new InputError(name, `the "${name}" part is not valid JSON`);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw new InputError(name, `the "${name}" part must be a JSON object`);
	return value as Record<string, unknown>;
}

/** Every module of the upload by name, source maps left out; wasm and data modules as base64. */
async function modulesOf(form: FormData): Promise<Record<string, string>> {
	const modules: Record<string, string> = {};
	for (const [part, value] of form.entries()) {
		if (part === 'metadata') continue;
		if (typeof value === 'string') {
			modules[part] = value;
			continue;
		}
		const type = value.type.toLowerCase();
		if (type.startsWith(SOURCE_MAP_TYPE)) continue;
		const name = part === SDK_MODULES_PART && value.name ? value.name : part;
		if (type.startsWith(PYTHON_TYPE)) throw new InputError('code', `${name}: Python Workers are not supported by this platform`);
		const kind = kindOf(name);
		const allowed = KINDS_OF_TYPE[type.split(';')[0].trim()];
		if (kind && allowed && !allowed.includes(kind))
			throw new InputError(
				'code',
				`${name}: sent as ${type}, but its name makes it ${KIND_NAMES[kind]} (a module's kind comes from its extension: ${MODULE_EXTENSIONS.join(' ')})`
			);
		modules[name] = kind && isBinaryKind(kind) ? toBase64(new Uint8Array(await value.arrayBuffer())) : await value.text();
	}
	return modules;
}

function optionalString(metadata: Record<string, unknown>, key: string): string | undefined {
	const value = metadata[key];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw new InputError(key, `metadata.${key} must be a string, got ${JSON.stringify(value)}`);
	return value;
}

function optionalArray(metadata: Record<string, unknown>, key: string): unknown[] | undefined {
	const value = metadata[key];
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value)) throw new InputError(key, `metadata.${key} must be an array, got ${JSON.stringify(value)}`);
	return value;
}
