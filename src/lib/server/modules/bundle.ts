// The upload checks of a Worker version's modules, and what they produce: the originals as uploaded (what
// `workers.get` shows) and, for the modules whose runnable form differs, that form (what backends run).
//
// Import resolution (README "Modules and TypeScript"): a specifier starting with "./" or "../" is resolved
// against the importing module's folder, one starting with "/" against the root, and any other (a bare
// specifier) names a module from the root; "cloudflare:*" and "node:*" are the runtime's. The resolved
// path must be an uploaded module: first exactly, then as TypeScript projects write imports: "x.js" may
// be "x.ts" ("x.mjs": "x.mts"), and a path without a module extension may be "x.ts", "x.mts", "x.js",
// "x.mjs", "x/index.ts" or "x/index.js". Every resolved specifier is rewritten in the runnable form to the
// module's relative path, so the runtime finds exactly the module the check found.
import { InputError } from '../errors';
import { formatBytes } from '$lib/format';
import { mainModuleProblem, parseJavaScript, SourceSyntaxError, type AnyNode } from '../module-check';
import { stripTypes } from './typescript';
import {
	fromBase64,
	isBinaryKind,
	isCodeKind,
	kindOf,
	MODULE_EXTENSIONS,
	SINGLE_MODULE_NAME,
	type ModuleKind,
	type ModuleSet,
	type RunnableWorker
} from './kinds';

/** How many modules one version may have. */
export const MAX_MODULES = 100;
/** How long a module's name may be. */
export const MAX_MODULE_NAME_LENGTH = 256;
/** Module names the platform keeps for its own modules in the user Worker's isolate. */
export const RESERVED_MODULE_PREFIX = '__wfp';

/** An upload's modules after the checks. */
export interface PreparedModules {
	/** The modules as uploaded. */
	set: ModuleSet;
	/** The runnable ES module source of each module whose runnable form differs from its original. */
	compiled: Record<string, string>;
	/** The bytes of every module together (wasm and data decoded). */
	size: number;
	sha256: string;
}

export interface UploadLimits {
	maxBytes: number;
	/** Where `maxBytes` comes from, for the message ("MAX_SCRIPT_BYTES", "your plan's maxScriptBytes"). */
	limitName: string;
}

/**
 * Checks an upload's modules and strips TypeScript. `single`: the upload sent one module as `code`, so
 * messages concern `code` and need not name its file. Throws InputError naming the module, line and column.
 */
export async function prepareModules(set: ModuleSet, limits: UploadLimits, single = false): Promise<PreparedModules> {
	const field = single ? 'code' : 'modules';
	const fail = (message: string) => new InputError(field, message);
	const where = (name: string) => (single ? '' : `${name}: `);

	const names = Object.keys(set.modules);
	if (names.length === 0) throw fail('modules is empty: upload at least the main module');
	if (names.length > MAX_MODULES) throw fail(`${names.length} modules; a Worker may have at most ${MAX_MODULES}`);
	const kinds = new Map<string, ModuleKind>();
	let size = 0;
	for (const name of names) {
		const problem = moduleNameProblem(name);
		if (problem) throw fail(`module name ${JSON.stringify(name)} ${problem}`);
		const kind = kindOf(name)!;
		kinds.set(name, kind);
		const source = set.modules[name];
		if (typeof source !== 'string') throw fail(`${where(name)}the module's source must be a string`);
		size += isBinaryKind(kind) ? binaryModule(name, kind, source, fail).length : utf8Length(source);
	}
	if (single && set.modules[SINGLE_MODULE_NAME].trim() === '') throw fail('code is empty');
	if (size > limits.maxBytes)
		throw fail(
			`${single ? 'code is' : 'the modules total'} ${formatBytes(size)}; the limit is ${formatBytes(limits.maxBytes)} (${limits.limitName})`
		);
	const mainKind = kinds.get(set.mainModule);
	if (mainKind === undefined)
		throw new InputError('mainModule', `mainModule ${JSON.stringify(set.mainModule)} is not among the modules (${names.join(', ')})`);
	if (mainKind !== 'esm' && mainKind !== 'typescript')
		throw new InputError('mainModule', `mainModule ${JSON.stringify(set.mainModule)} must be an ES module or TypeScript (.js, .mjs, .ts, .mts)`);

	// Every code module parsed (TypeScript first stripped), with the modules it refers to.
	const programs = new Map<string, { runnable: string; program: AnyNode }>();
	for (const [name, kind] of kinds) {
		const source = set.modules[name];
		if (kind === 'json') {
			try {
				JSON.parse(source);
			} catch (error) {
				throw fail(`${name}: not valid JSON (${(error as Error).message})`);
			}
		}
		if (!isCodeKind(kind)) continue;
		try {
			const runnable = kind === 'typescript' ? await stripTypes(name, source) : source;
			programs.set(name, { runnable, program: parseJavaScript(runnable, kind === 'commonjs' ? 'script' : 'module') });
		} catch (error) {
			if (!(error instanceof SourceSyntaxError)) throw error;
			throw fail(`${where(name)}syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
		}
	}

	const compiled: Record<string, string> = {};
	for (const [name, { runnable, program }] of programs) {
		const edits: { start: number; end: number; specifier: string }[] = [];
		for (const reference of referencesOf(program, runnable, kinds.get(name) === 'commonjs')) {
			const resolved = resolveModule(reference.specifier, name, kinds);
			if (resolved === RUNTIME_MODULE) continue;
			if (resolved === null)
				throw fail(
					`${where(name)}line ${reference.line}: cannot import ${JSON.stringify(reference.specifier)}: no uploaded module is named ${JSON.stringify(resolvedPath(reference.specifier, name) ?? reference.specifier)}` +
						(single
							? ' (upload every module: mainModule and modules, or bundle them into one)'
							: isBare(reference.specifier)
								? ' (bundle npm packages into your modules, e.g. with wfp deploy)'
								: '')
				);
			const specifier = relativeSpecifier(name, resolved);
			if (specifier !== reference.specifier) edits.push({ start: reference.start, end: reference.end, specifier });
		}
		const rewritten = applyEdits(runnable, edits);
		if (rewritten !== set.modules[name]) compiled[name] = rewritten;
	}

	checkMainModule(set.mainModule, programs, kinds, (message) => fail(`${where(set.mainModule)}${message}`));
	return { set, compiled, size, sha256: await digestOf(set) };
}

/** Why `name` cannot name a module, or null. */
export function moduleNameProblem(name: string): string | null {
	if (name === '') return 'is empty';
	if (name.length > MAX_MODULE_NAME_LENGTH) return `is longer than ${MAX_MODULE_NAME_LENGTH} characters`;
	if (name.startsWith('/')) return 'must be relative (no leading "/")';
	if (name.includes('\\')) return 'must use "/" between folders, not "\\"';
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
	// The runtime resolves specifiers as URLs: these would read as a query, a fragment, an escape or a scheme.
	if (/[?#%:]/.test(name)) return 'must not contain "?", "#", "%" or ":"';
	if (name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..'))
		return 'must not contain empty, "." or ".." path segments';
	if (name.startsWith(RESERVED_MODULE_PREFIX)) return `starts with "${RESERVED_MODULE_PREFIX}", which the platform keeps for its own modules`;
	if (kindOf(name) === null) return `has no module extension (one of ${MODULE_EXTENSIONS.join(' ')})`;
	return null;
}

/** The digest of a version's modules: of the one module's source for a one-file `worker.js` Worker, as before modules. */
export async function digestOf(set: ModuleSet): Promise<string> {
	const names = Object.keys(set.modules).sort();
	const single = names.length === 1 && names[0] === SINGLE_MODULE_NAME && set.mainModule === SINGLE_MODULE_NAME;
	const canonical = single ? set.modules[SINGLE_MODULE_NAME] : JSON.stringify([set.mainModule, names.map((name) => [name, set.modules[name]])]);
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A stored version as a backend runs it: originals, with the compiled form where there is one. */
export function runnableOf(set: ModuleSet, compiled: Record<string, string>): RunnableWorker {
	const modules: RunnableWorker['modules'] = {};
	for (const [name, source] of Object.entries(set.modules)) {
		const kind = kindOf(name) ?? 'esm';
		modules[name] = { kind: kind === 'typescript' ? 'esm' : kind, source: compiled[name] ?? source };
	}
	return { mainModule: set.mainModule, modules };
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

function binaryModule(name: string, kind: ModuleKind, base64: string, fail: (message: string) => InputError): Uint8Array {
	let bytes: Uint8Array;
	try {
		if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Error();
		bytes = fromBase64(base64);
	} catch {
		throw fail(`${name}: a ${kind === 'wasm' ? 'WebAssembly' : 'data'} module's source must be base64`);
	}
	if (kind === 'wasm' && !(bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d))
		throw fail(`${name}: not a WebAssembly module (it does not start with "\\0asm")`);
	return bytes;
}

interface Reference {
	specifier: string;
	line: number;
	/** Where the specifier's string literal is in the source. */
	start: number;
	end: number;
}

/**
 * The modules `program` refers to by a string: import/export … from, import("…"), and require("…") in
 * CommonJS. Static imports and exports are top-level statements; the whole tree is walked only when the
 * source has an `import(` or a `require(` somewhere.
 */
function referencesOf(program: AnyNode, source: string, commonjs: boolean): Reference[] {
	const references: Reference[] = [];
	const add = (literal: AnyNode | undefined) => {
		if (literal?.type === 'Literal' && typeof literal.value === 'string')
			references.push({ specifier: literal.value, line: literal.loc!.start.line, start: literal.start, end: literal.end });
	};
	const visit = (node: AnyNode) => {
		switch (node.type) {
			case 'ImportDeclaration':
			case 'ExportAllDeclaration':
			case 'ExportNamedDeclaration':
			case 'ImportExpression':
				add(node.source);
				break;
			case 'CallExpression':
				if (commonjs && node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1)
					add(node.arguments[0]);
		}
		for (const key in node) {
			const child = node[key];
			if (Array.isArray(child)) {
				for (const item of child) if (item && typeof item.type === 'string') visit(item);
			} else if (child && typeof child === 'object' && typeof child.type === 'string' && key !== 'loc') visit(child);
		}
	};
	if (/\bimport\s*\(/.test(source) || (commonjs && /\brequire\s*\(/.test(source))) visit(program);
	else for (const statement of program.body) if (statement.type !== 'ExpressionStatement') add(statement.source);
	return references;
}

/** Resolution's answer for "cloudflare:*" and "node:*": the runtime provides the module. */
const RUNTIME_MODULE = Symbol('runtime module');

const isBare = (specifier: string) => !/^\.{0,2}\//.test(specifier);

/** The path `specifier` names from the module `importer`, before any extension is tried; null if it leaves the root. */
function resolvedPath(specifier: string, importer: string): string | null {
	if (specifier.startsWith('/')) return normalise(specifier.slice(1).split('/'));
	if (isBare(specifier)) return normalise(specifier.split('/'));
	return normalise([...importer.split('/').slice(0, -1), ...specifier.split('/')]);
}

function normalise(segments: string[]): string | null {
	const path: string[] = [];
	for (const segment of segments) {
		if (segment === '' || segment === '.') continue;
		if (segment === '..') {
			if (path.length === 0) return null;
			path.pop();
		} else path.push(segment);
	}
	return path.join('/');
}

/** The uploaded module `specifier` names (see the rules at the top), RUNTIME_MODULE, or null if none. */
function resolveModule(specifier: string, importer: string, modules: ReadonlyMap<string, ModuleKind>): string | typeof RUNTIME_MODULE | null {
	if (/^(cloudflare|node):/.test(specifier)) return RUNTIME_MODULE;
	const path = resolvedPath(specifier, importer);
	if (path === null || path === '') return null;
	const candidates = [path];
	if (path.endsWith('.js')) candidates.push(path.slice(0, -3) + '.ts');
	if (path.endsWith('.mjs')) candidates.push(path.slice(0, -4) + '.mts');
	if (kindOf(path) === null) candidates.push(...['.ts', '.mts', '.js', '.mjs', '/index.ts', '/index.js'].map((suffix) => path + suffix));
	return candidates.find((candidate) => modules.has(candidate)) ?? null;
}

/** The specifier by which `importer` reaches the module `target`: "./x.js", "../lib/x.ts". */
function relativeSpecifier(importer: string, target: string): string {
	const from = importer.split('/').slice(0, -1);
	const to = target.split('/');
	let common = 0;
	while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
	const up = from.length - common;
	return (up === 0 ? './' : '../'.repeat(up)) + to.slice(common).join('/');
}

function applyEdits(source: string, edits: { start: number; end: number; specifier: string }[]): string {
	let result = source;
	for (const edit of [...edits].sort((a, b) => b.start - a.start))
		result = result.slice(0, edit.start) + JSON.stringify(edit.specifier) + result.slice(edit.end);
	return result;
}

/** The main module (or the module it re-exports its default from) must serve fetch. */
function checkMainModule(
	mainModule: string,
	programs: ReadonlyMap<string, { program: AnyNode }>,
	kinds: ReadonlyMap<string, ModuleKind>,
	fail: (message: string) => InputError
) {
	let current = mainModule;
	for (let hops = 0; hops < MAX_MODULES; hops++) {
		const problem = mainModuleProblem(programs.get(current)!.program);
		if (problem === null) return;
		if (typeof problem === 'string') throw fail(current === mainModule ? problem : `its default export comes from ${current}, where ${problem}`);
		const next = resolveModule(problem.reexport, current, kinds);
		// From the runtime, or from a module that is not an ES module: only running it can tell.
		if (next === RUNTIME_MODULE || next === null || kinds.get(next) === 'commonjs' || !programs.has(next)) return;
		current = next;
	}
}
