// Turns a project's entry module into what `wfp deploy` uploads: one ES module, bundled with esbuild the way
// wrangler bundles (the same resolve conditions, target and defines), or a self-contained JavaScript file
// exactly as written.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'acorn';
import { build as esbuild, type BuildFailure, type BuildOptions, type Message, type Plugin } from 'esbuild';
import { formatBytes } from '../lib/format.ts';
import { CliError, EXIT } from './errors.ts';
import { shownPath } from './project.ts';

/** The upload's module name for the entry (the module map's `mainModule`). */
export const MAIN_MODULE = 'index.js';

export interface WorkerBuild {
	mainModule: string;
	/** Module name -> source: the bundle (or the entry as written), and each .wasm/.bin it imports, in base64. */
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
		'.html': 'text'
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

/** Modules whose source in the upload is base64 (the platform's module kinds: wasm and data). */
export const BINARY_MODULE = /\.(wasm|bin)$/;

/** A module's bytes as they run: decoded for the binary kinds. */
export const moduleBytes = (name: string, source: string): Buffer => (BINARY_MODULE.test(name) ? Buffer.from(source, 'base64') : Buffer.from(source));

/**
 * As wrangler does, a `.wasm` import stays an import of a module of its own (a compiled WebAssembly.Module
 * when it runs) and a `.bin` one of a data module (an ArrayBuffer): each is added to `modules` under its path
 * in the project, and the bundle imports it by that path.
 */
function additionalModules(root: string, modules: Record<string, string>): Plugin {
	return {
		name: 'wfp-additional-modules',
		setup(build) {
			build.onResolve({ filter: BINARY_MODULE }, async (args) => {
				const file = resolve(args.resolveDir, args.path);
				const bytes = await readFile(file).catch(() => null);
				if (bytes === null) return { errors: [{ text: `Could not read "${args.path}"` }] };
				const inProject = relative(root, file).split(sep).join('/');
				// A file outside the project gets a name of its own (module names never climb out with "..").
				const name = inProject.startsWith('../')
					? `external/${createHash('sha256').update(file).digest('hex').slice(0, 8)}-${basename(file)}`
					: inProject;
				modules[name] = bytes.toString('base64');
				return { path: `./${name}`, external: true };
			});
		}
	};
}

function measure(modules: Record<string, string>): { size: number; gzipSize: number } {
	let size = 0;
	let gzipSize = 0;
	for (const [name, source] of Object.entries(modules)) {
		const bytes = moduleBytes(name, source);
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
	const additional: Record<string, string> = {};
	try {
		result = await esbuild({
			...WRANGLER_LIKE,
			entryPoints: [entry],
			absWorkingDir: root,
			outfile: resolve(root, MAIN_MODULE),
			plugins: [additionalModules(root, additional)]
		});
	} catch (error) {
		const failure = error as BuildFailure;
		if (!Array.isArray(failure.errors)) throw error;
		const lines = formatBuildMessages(root, failure.errors);
		throw new CliError(`build failed: ${lines.join('\n')}`, EXIT.failed);
	}
	for (const line of formatBuildMessages(root, result.warnings)) warn(`warning: ${line}`);
	const modules = { [MAIN_MODULE]: result.outputFiles[0].text, ...additional };
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
