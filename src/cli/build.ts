// Turns a project's entry module into what `wfp deploy` uploads: one ES module, bundled with esbuild the way
// wrangler bundles (the same resolve conditions, target and defines), or a self-contained JavaScript file
// exactly as written.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'acorn';
import { build as esbuild, type BuildFailure, type BuildOptions, type Message } from 'esbuild';
import { formatBytes } from '../lib/format.ts';
import { CliError, EXIT } from './errors.ts';
import { shownPath } from './project.ts';

/** The upload's module name for the entry (the module map's `mainModule`). */
export const MAIN_MODULE = 'index.js';

export interface WorkerBuild {
	mainModule: string;
	/** Module name -> source. One module today: the bundle, or the entry as written. */
	modules: Record<string, string>;
	/** false: a JavaScript entry that imports no other files, uploaded byte for byte as written. */
	bundled: boolean;
	/** How many source files went into the bundle (1 when uploaded as written). */
	inputs: number;
	/** Bytes of all modules, and of them gzipped (what a transfer of them costs). */
	size: number;
	gzipSize: number;
}

/** Where a Worker's imports can go without bundling: the runtime's own modules. */
const RUNTIME_MODULE = /^(cloudflare|node):/;

/** The esbuild options wrangler's bundler uses (workers-sdk, packages/wrangler/src/deployment-bundle/bundle.ts). */
const WRANGLER_LIKE = {
	bundle: true,
	format: 'esm',
	// Resolution as wrangler's: package.json "exports" conditions for workerd first, then browser builds.
	platform: 'neutral',
	conditions: ['workerd', 'worker', 'browser'],
	mainFields: ['browser', 'module', 'main'],
	// workerd runs ES2024, plus `using` and source-phase imports natively.
	target: 'es2024',
	supported: { 'import-source': true, using: true },
	keepNames: true,
	external: ['cloudflare:*', 'node:*'],
	define: {
		'process.env.NODE_ENV': '"production"',
		'global.process.env.NODE_ENV': '"production"',
		'globalThis.process.env.NODE_ENV': '"production"'
	},
	loader: {
		// wrangler reads JavaScript as JSX, so a .js file may hold JSX.
		'.js': 'jsx',
		'.mjs': 'jsx',
		'.cjs': 'jsx',
		'.json': 'json',
		'.txt': 'text',
		'.html': 'text',
		// Bytes inlined as a Uint8Array (wrangler uploads .wasm as its own module instead).
		'.wasm': 'binary',
		'.bin': 'binary'
	},
	minify: false,
	sourcemap: false,
	metafile: true,
	write: false,
	logLevel: 'silent'
} satisfies BuildOptions;

type AnyNode = { type: string; [key: string]: unknown };

/** Every module specifier the program names: static imports, re-exports, import() and require() with a string. */
function specifiers(node: unknown, found: string[] = []): string[] {
	if (Array.isArray(node)) {
		for (const child of node) specifiers(child, found);
		return found;
	}
	if (typeof node !== 'object' || node === null) return found;
	const current = node as AnyNode;
	const literal = (value: unknown) => {
		const source = value as AnyNode | null;
		if (source?.type === 'Literal' && typeof source.value === 'string') found.push(source.value);
		else if (source) found.push('<computed>');
	};
	if (['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression'].includes(current.type)) literal(current.source);
	if (current.type === 'CallExpression' && (current.callee as AnyNode).type === 'Identifier' && (current.callee as { name: string }).name === 'require')
		literal((current.arguments as unknown[])[0]);
	for (const [key, value] of Object.entries(current)) if (key !== 'loc' && typeof value === 'object') specifiers(value, found);
	return found;
}

/**
 * True when `source` is a JavaScript module that needs no bundling: it imports only runtime modules.
 * One that does not parse counts too, so the platform reports its syntax error as for any upload.
 */
export function isSelfContained(source: string): boolean {
	let program: unknown;
	try {
		program = parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
	} catch {
		return true;
	}
	return specifiers(program).every((specifier) => RUNTIME_MODULE.test(specifier));
}

const where = (root: string, message: Message) => {
	const location = message.location;
	if (!location) return '';
	const file = shownPath(resolve(root, location.file));
	return `${file}:${location.line}:${location.column + 1}: `;
};

/** esbuild's errors, one line each: "file:line:column: message". */
export function formatBuildMessages(root: string, messages: Message[]): string[] {
	return messages.map((message) => `${where(root, message)}${message.text}`);
}

function measure(modules: Record<string, string>): { size: number; gzipSize: number } {
	let size = 0;
	let gzipSize = 0;
	for (const source of Object.values(modules)) {
		const bytes = Buffer.from(source);
		size += bytes.length;
		gzipSize += gzipSync(bytes).length;
	}
	return { size, gzipSize };
}

/** Builds the Worker whose entry module is `entry`, resolving packages from `root`; warnings go to `warn`. */
export async function buildWorker(entry: string, root: string, warn: (line: string) => void): Promise<WorkerBuild> {
	if (/\.m?js$/.test(entry)) {
		const source = await readFile(entry, 'utf8');
		if (isSelfContained(source)) {
			// Under its own file name, so the platform's messages name the file the user wrote.
			const name = basename(entry);
			const modules = { [name]: source };
			return { mainModule: name, modules, bundled: false, inputs: 1, ...measure(modules) };
		}
	}
	let result;
	try {
		result = await esbuild({ ...WRANGLER_LIKE, entryPoints: [entry], absWorkingDir: root, outfile: resolve(root, MAIN_MODULE) });
	} catch (error) {
		const failure = error as BuildFailure;
		if (!Array.isArray(failure.errors)) throw error;
		const lines = formatBuildMessages(root, failure.errors);
		throw new CliError(`build failed: ${lines.join('\n')}`, EXIT.failed);
	}
	for (const line of formatBuildMessages(root, result.warnings)) warn(`warning: ${line}`);
	const modules = { [MAIN_MODULE]: result.outputFiles[0].text };
	return { mainModule: MAIN_MODULE, modules, bundled: true, inputs: Object.keys(result.metafile.inputs).length, ...measure(modules) };
}

/** "built src/index.ts → 1 module, 42.1 KiB (gzip 12.3 KiB) from 12 files" */
export function buildSummary(entry: string, build: WorkerBuild): string {
	const shown = shownPath(entry);
	const count = Object.keys(build.modules).length;
	const sizes = `${count} module${count === 1 ? '' : 's'}, ${formatBytes(build.size)} (gzip ${formatBytes(build.gzipSize)})`;
	return build.bundled
		? `built ${shown} → ${sizes} from ${build.inputs} file${build.inputs === 1 ? '' : 's'}`
		: `${shown} → ${sizes}, as written (it imports no other files)`;
}
