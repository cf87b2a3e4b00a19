// A Worker's files as the web UI edits them: the `{ mainModule, modules }` form of `workers.upload`, plus
// the rules the file tree checks before the server does (names, kinds) and the folder/zip import (what to
// skip, the common top folder, the bounds). Pure functions: the browser and the form action share them.

/** The modules form of an upload: module name (a relative path) -> source, base64 for binary modules. */
export interface ProjectFiles {
	mainModule: string;
	modules: Record<string, string>;
}

/** The extensions the platform takes as modules (src/lib/server/modules/kinds.ts: the kind comes from the extension). */
const SCRIPT_EXTENSIONS = ['js', 'mjs', 'cjs', 'ts', 'mts'];
/** What a main module may be: an ES module or TypeScript (not CommonJS). */
const MAIN_EXTENSIONS = ['js', 'mjs', 'ts', 'mts'];
const BINARY_EXTENSIONS = ['wasm', 'bin'];
const TEXT_EXTENSIONS = ['json', 'txt', 'html', 'css', 'md', 'svg', 'csv', 'xml', 'sql', 'yaml', 'yml', 'toml'];
export const MODULE_EXTENSIONS = [...SCRIPT_EXTENSIONS, ...BINARY_EXTENSIONS, ...TEXT_EXTENSIONS];

/** How many files (the platform's MAX_MODULES), and how many bytes in all, a folder or zip may bring into the editor. */
export const IMPORT_LIMITS = { files: 100, bytes: 10 * 1024 * 1024 };

/** The main module a new project starts with. */
export const DEFAULT_MAIN_MODULE = 'index.js';

export function extensionOf(name: string): string {
	const base = name.slice(name.lastIndexOf('/') + 1);
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** .wasm and .bin modules hold bytes: their value is base64, shown but not edited as text. */
export const isBinaryModule = (name: string) => BINARY_EXTENSIONS.includes(extensionOf(name));

/** Can be a Worker's main module (an ES module or TypeScript). */
export const canBeMainModule = (name: string) => MAIN_EXTENSIONS.includes(extensionOf(name));

/** The editor's highlighting for a file. */
export type EditorLanguage = 'javascript' | 'typescript' | 'plain';
export function languageOf(name: string): EditorLanguage {
	const extension = extensionOf(name);
	if (extension === 'ts' || extension === 'mts') return 'typescript';
	if (extension === 'js' || extension === 'mjs' || extension === 'cjs') return 'javascript';
	return 'plain';
}

/** Why `name` cannot be a module name among `others`, or null (the server checks the same rules). */
export function moduleNameProblem(name: string, others: Iterable<string>): string | null {
	if (name.trim() === '') return 'the file needs a name, e.g. lib/util.ts';
	if (name !== name.trim()) return `"${name}" starts or ends with a space`;
	if (name.startsWith('/')) return `"${name}" starts with "/": names are relative paths like lib/util.ts`;
	if (name.includes('\\')) return `"${name}" contains "\\": separate folders with "/"`;
	if (name.length > 256) return `the name is ${name.length} characters long; the limit is 256`;
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(name)) return `"${name}" contains a control character`;
	// The runtime resolves import specifiers as URLs: these would read as a query, a fragment, an escape or a scheme.
	if (/[?#%:]/.test(name)) return `"${name}" contains "?", "#", "%" or ":"`;
	if (name.startsWith('__wfp')) return `"${name}" starts with "__wfp", which the platform keeps for its own modules`;
	if (name.split('/').some((part) => part === '' || part === '.' || part === '..'))
		return `"${name}" has an empty, "." or ".." folder`;
	if (!MODULE_EXTENSIONS.includes(extensionOf(name)))
		return `"${name}" needs one of the extensions ${MODULE_EXTENSIONS.map((e) => '.' + e).join(' ')}`;
	for (const other of others) if (other === name) return `there is already a file named "${name}"`;
	return null;
}

/** A stored version's files (`workers.get`): its modules, or its one module under a default name. */
export function filesOf(version: { code: string; mainModule?: string; modules?: Record<string, string> }): ProjectFiles {
	if (version.mainModule && version.modules && version.mainModule in version.modules)
		return { mainModule: version.mainModule, modules: { ...version.modules } };
	const mainModule = version.mainModule ?? DEFAULT_MAIN_MODULE;
	return { mainModule, modules: { [mainModule]: version.code } };
}

/** Files listed folders-first by path, the way a file tree shows them. */
export function sortedFileNames(modules: Record<string, string>): string[] {
	return Object.keys(modules).sort((a, b) => {
		const aParts = a.split('/');
		const bParts = b.split('/');
		for (let i = 0; i < Math.min(aParts.length, bParts.length); i++) {
			const aIsFolder = i < aParts.length - 1;
			const bIsFolder = i < bParts.length - 1;
			if (aIsFolder !== bIsFolder) return aIsFolder ? -1 : 1;
			if (aParts[i] !== bParts[i]) return aParts[i] < bParts[i] ? -1 : 1;
		}
		return aParts.length - bParts.length;
	});
}

/** The form's `files` field: a ProjectFiles, or the problem with it (a hand-made post, a truncated field). */
export function parseProjectFiles(json: string): ProjectFiles | string {
	let value: unknown;
	try {
		value = JSON.parse(json);
	} catch {
		return 'the files field is not valid JSON';
	}
	if (typeof value !== 'object' || value === null) return 'the files field must be a JSON object';
	const { mainModule, modules } = value as Record<string, unknown>;
	if (typeof mainModule !== 'string') return 'the files field needs a mainModule (the name of the main module)';
	if (typeof modules !== 'object' || modules === null || Array.isArray(modules))
		return 'the files field needs modules: an object of file name -> source';
	for (const [name, source] of Object.entries(modules)) {
		if (typeof source !== 'string') return `the source of "${name}" must be a string`;
	}
	return { mainModule, modules: { ...(modules as Record<string, string>) } };
}

/** The module among `names` an error message is about (the longest name it mentions), or null. */
export function moduleNamedIn(message: string, names: Iterable<string>): string | null {
	let found: string | null = null;
	for (const name of names) if (message.includes(name) && (found === null || name.length > found.length)) found = name;
	return found;
}

// Folder and zip import.

/** A file read from a folder or a zip, by its path inside it ("my-worker/src/index.ts"). */
export interface ImportedFile {
	path: string;
	bytes: Uint8Array;
}

export interface ImportedProject {
	files: ProjectFiles;
	/** The top folder the paths shared, stripped from them ("my-worker"), or null. */
	folder: string | null;
	/** Paths left out, and why (node_modules, dotfiles, a kind the platform does not take). */
	skipped: string[];
}

/** Folders and files a project upload leaves out: dependencies, VCS data, build caches, dotfiles. */
export function isSkippedPath(path: string): boolean {
	return path
		.split('/')
		.some((part) => part === 'node_modules' || part.startsWith('.') || part === '__MACOSX');
}

/** Why a folder or zip is too big to load, or null (checked before reading contents where possible). */
export function importSizeProblem(count: number, bytes: number): string | null {
	if (count > IMPORT_LIMITS.files)
		return `that is ${count} files; the editor takes at most ${IMPORT_LIMITS.files} (node_modules, .git and dotfiles are already left out)`;
	if (bytes > IMPORT_LIMITS.bytes)
		return `those files are ${formatMiB(bytes)} in all; the editor takes at most ${formatMiB(IMPORT_LIMITS.bytes)}`;
	return null;
}

const formatMiB = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/** The path every file shares as its first folder ("my-worker/"), or "". */
function commonTopFolder(paths: string[]): string {
	const first = paths[0]?.split('/')[0];
	if (first === undefined || paths.some((path) => !path.includes('/') || path.split('/')[0] !== first)) return '';
	return first + '/';
}

/** Where a project's entry usually is, when no wrangler config names it. */
const ENTRY_CANDIDATES = ['src/index', 'index', 'src/worker', 'worker', 'src/main', 'main'].flatMap((base) =>
	['ts', 'js', 'mts', 'mjs'].map((extension) => `${base}.${extension}`)
);

/** The main module: the wrangler config's `main`, else a usual entry name, else the first script. */
export function guessMainModule(modules: Record<string, string>, wranglerConfig: string | null): string | null {
	const main = wranglerConfig?.match(/["']?main["']?\s*[:=]\s*["']([^"']+)["']/)?.[1]?.replace(/^\.\//, '');
	if (main && main in modules) return main;
	const entry = ENTRY_CANDIDATES.find((candidate) => candidate in modules);
	if (entry) return entry;
	return sortedFileNames(modules).find(canBeMainModule) ?? null;
}

export function bytesToBase64(bytes: Uint8Array): string {
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary);
}

/**
 * A folder's or zip's files as a project: skipped paths left out, the common top folder stripped, text
 * decoded as UTF-8 and binary modules as base64. The wrangler config (if any) names the main module.
 */
export function projectFromFiles(imported: ImportedFile[]): ImportedProject | string {
	const skipped: string[] = [];
	const kept = imported.filter((file) => !isSkippedPath(file.path));
	const top = commonTopFolder(kept.map((file) => file.path));
	const modules: Record<string, string> = {};
	let wranglerConfig: string | null = null;
	const decoder = new TextDecoder();
	for (const file of kept) {
		const name = file.path.slice(top.length);
		if (/^wrangler\.(jsonc?|toml)$/.test(name)) wranglerConfig = decoder.decode(file.bytes);
		if (!MODULE_EXTENSIONS.includes(extensionOf(name)) || isConfigFile(name)) {
			skipped.push(name);
			continue;
		}
		modules[name] = isBinaryModule(name) ? bytesToBase64(file.bytes) : decoder.decode(file.bytes);
	}
	const tooBig = importSizeProblem(
		Object.keys(modules).length,
		kept.reduce((sum, file) => sum + file.bytes.length, 0)
	);
	if (tooBig) return tooBig;
	const mainModule = guessMainModule(modules, wranglerConfig);
	if (mainModule === null)
		return 'no JavaScript or TypeScript file found to run (.js, .mjs, .ts, .mts; node_modules, .git and dotfiles are left out)';
	return { files: { mainModule, modules }, folder: top ? top.slice(0, -1) : null, skipped: skipped.sort() };
}

/** Not part of the Worker's code: the package manager's and tools' configuration, type declarations. */
function isConfigFile(name: string): boolean {
	if (name.endsWith('.d.ts')) return true;
	return /^(package(-lock)?\.json|tsconfig(\.[\w-]+)?\.json|jsconfig\.json|wrangler\.(jsonc?|toml)|vitest\.config\.\w+)$/.test(name);
}
