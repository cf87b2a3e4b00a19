// What a Worker version is made of: a set of named modules, one of them the main module. A module's kind
// comes from its name's extension (as in wrangler's default module rules), so the name alone says how the
// runtime loads it. Shared by the upload checks (bundle.ts), the version store and both backends.

/** How a module is written. TypeScript is stripped of its types at upload and runs as an ES module. */
export type ModuleKind = 'esm' | 'commonjs' | 'typescript' | 'json' | 'text' | 'data' | 'wasm';

/** How a module runs: every kind but TypeScript. */
export type RuntimeKind = Exclude<ModuleKind, 'typescript'>;

const TEXT_EXTENSIONS = ['txt', 'html', 'css', 'md', 'svg', 'csv', 'xml', 'sql', 'yaml', 'yml', 'toml'];

const KIND_BY_EXTENSION: Readonly<Record<string, ModuleKind>> = {
	js: 'esm',
	mjs: 'esm',
	cjs: 'commonjs',
	ts: 'typescript',
	mts: 'typescript',
	json: 'json',
	wasm: 'wasm',
	bin: 'data',
	...Object.fromEntries(TEXT_EXTENSIONS.map((extension) => [extension, 'text' as const]))
};

/** The extensions a module name may end with, for messages. */
export const MODULE_EXTENSIONS = Object.keys(KIND_BY_EXTENSION).map((extension) => `.${extension}`);

/** The kind of the module `name`, from its extension; null for an extension no kind has. */
export function kindOf(name: string): ModuleKind | null {
	const dot = name.lastIndexOf('.');
	if (dot < 0 || dot < name.lastIndexOf('/')) return null;
	return KIND_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** A kind in words, with its article: "an ES module". */
export const KIND_NAMES: Readonly<Record<ModuleKind, string>> = {
	esm: 'an ES module',
	commonjs: 'a CommonJS module',
	typescript: 'a TypeScript module',
	json: 'a JSON module',
	text: 'a text module',
	data: 'a data module',
	wasm: 'a WebAssembly module'
};

/** Kinds whose source is bytes, carried as base64 in the API and in storage. */
export const isBinaryKind = (kind: ModuleKind) => kind === 'wasm' || kind === 'data';

/** Kinds that are code: they are parsed, and their imports (or require() calls) must resolve. */
export const isCodeKind = (kind: ModuleKind) => kind === 'esm' || kind === 'commonjs' || kind === 'typescript';

/** A version's modules as uploaded: name → source (wasm and data modules as base64). */
export interface ModuleSet {
	/** The module whose default export serves requests (a .js, .mjs, .ts or .mts module of `modules`). */
	mainModule: string;
	modules: Record<string, string>;
}

/** A version as a backend runs it: each module's runtime kind and source (wasm and data as base64). */
export interface RunnableWorker {
	mainModule: string;
	modules: Record<string, { kind: RuntimeKind; source: string }>;
}

/** The module name a `code`-only upload gives its one module (and that versions stored before modules have). */
export const SINGLE_MODULE_NAME = 'worker.js';

/** A `code`-only upload as a module set. */
export const singleModule = (code: string): ModuleSet => ({ mainModule: SINGLE_MODULE_NAME, modules: { [SINGLE_MODULE_NAME]: code } });

/**
 * The content type of each kind's part in a Cloudflare script upload (multipart/form-data), as wrangler
 * sends them. JSON has no module type there: the cloudflare backend sends it as an ES module whose default
 * export is the value, which is what importing a JSON module gives.
 */
export const CLOUDFLARE_PART_TYPES: Readonly<Record<Exclude<RuntimeKind, 'json'>, string>> = {
	esm: 'application/javascript+module',
	commonjs: 'application/javascript',
	text: 'text/plain',
	data: 'application/octet-stream',
	wasm: 'application/wasm'
};

/** The bytes of a base64 string (wasm and data modules). */
export function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
	const binary = atob(base64);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

export function toBase64(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary);
}
