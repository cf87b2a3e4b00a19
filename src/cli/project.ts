// What `wfp deploy [path]` deploys: the entry module and, when there is one, the wrangler config beside it
// (wrangler.json, wrangler.jsonc or wrangler.toml). Only the keys wfp uses are read: name, main,
// compatibility_date, vars, keep_vars and assets.directory; the others are left to wrangler.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { usageError } from './errors.ts';

/** The config file names wrangler looks for, in the order it prefers them. */
export const CONFIG_FILES = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'] as const;
/** Entry modules wfp builds (TypeScript and JavaScript ES modules). */
export const ENTRY_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;
/** A directory's entry when neither a wrangler config nor package.json names one. */
const DEFAULT_ENTRIES = ['src/index.ts', 'src/index.js'];

/** The keys of a wrangler config that `wfp deploy` applies. */
export interface WranglerConfig {
	/** The config file's absolute path; relative paths in it are relative to its directory. */
	path: string;
	name?: string;
	/** Absolute path of `main`. */
	main?: string;
	compatibilityDate?: string;
	vars?: Record<string, string>;
	/** true: the Worker's variables that the config does not name stay (wrangler's `keep_vars`). */
	keepVars: boolean;
	/** Absolute path of `assets.directory`. */
	assetsDirectory?: string;
}

export interface Project {
	/** The entry module's absolute path. */
	entry: string;
	/** The directory the build resolves from: the config's, else the directory given, else the entry's. */
	root: string;
	config: WranglerConfig | null;
	/** The Worker name the project suggests when --name is not given, and where it comes from. */
	defaultName: { name: string; from: string };
}

/** Where the comment starting at `i` ("//" or "/*") ends: its line break, or just past its "*\/". */
function commentEnd(text: string, i: number): number {
	const end = text[i + 1] === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
	if (end === -1) return text.length;
	return text[i + 1] === '/' ? end : end + 2;
}

const startsComment = (text: string, i: number) => text[i] === '/' && (text[i + 1] === '/' || text[i + 1] === '*');

/** The first character at or after `i` that is neither blank nor inside a comment. */
function nextSignificant(text: string, i: number): string | undefined {
	while (i < text.length) {
		if (/\s/.test(text[i])) i += 1;
		else if (startsComment(text, i)) i = commentEnd(text, i);
		else return text[i];
	}
	return undefined;
}

/** A path as a message shows it: relative to the current directory when inside it, else absolute. */
export function shownPath(path: string): string {
	const absolute = resolve(path);
	const inside = relative(process.cwd(), absolute);
	if (inside === '') return '.';
	return inside.startsWith('..') || isAbsolute(inside) ? absolute : inside;
}

/** The text of a JSONC document as JSON: comments and trailing commas become spaces, so positions stay. */
export function stripJsonc(text: string): string {
	const out: string[] = [];
	let i = 0;
	while (i < text.length) {
		const char = text[i];
		let end = i + 1;
		if (char === '"') {
			// A string, escapes included, copied as it is.
			while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
			out.push(text.slice(i, end + 1));
			end += 1;
		} else if (startsComment(text, i)) {
			end = commentEnd(text, i);
			out.push(text.slice(i, end).replace(/[^\n]/g, ' '));
		} else if (char === ',') {
			// A comma followed (past blanks and comments) by a closing bracket is a trailing comma.
			const next = nextSignificant(text, end);
			out.push(next === '}' || next === ']' ? ' ' : ',');
		} else {
			out.push(char);
		}
		i = end;
	}
	return out.join('');
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
	const before = text.slice(0, offset).split('\n');
	return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** A wrangler config's raw object, or a usage error naming the file and where it is broken. */
function parseConfigText(path: string, text: string): Record<string, unknown> {
	const shown = shownPath(path);
	let value: unknown;
	if (path.endsWith('.toml')) {
		try {
			value = parseToml(text);
		} catch (error) {
			const { line, column, message } = error as Error & { line?: number; column?: number };
			const where = line ? `:${line}:${column ?? 1}` : '';
			throw usageError(`${shown}${where}: invalid TOML: ${message.split('\n')[0]}`);
		}
	} else {
		const json = stripJsonc(text);
		try {
			value = JSON.parse(json);
		} catch (error) {
			const message = (error as Error).message;
			const position = message.match(/at position (\d+)/);
			const where = position ? `:${lineColumn(json, Number(position[1]))}` : '';
			throw usageError(`${shown}${where}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError(`${shown}: the config must be an object`);
	return value as Record<string, unknown>;
}

/** Reads the keys `wfp deploy` uses from a wrangler config file, checking their types. */
export function readWranglerConfig(path: string): WranglerConfig {
	const absolute = resolve(path);
	const shown = shownPath(absolute);
	let text: string;
	try {
		text = readFileSync(absolute, 'utf8');
	} catch (error) {
		throw usageError(`cannot read ${shown}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
	const raw = parseConfigText(absolute, text);
	const directory = dirname(absolute);
	const problem = (key: string, expected: string) => usageError(`${shown}: "${key}" must be ${expected}`);
	const optionalString = (key: string) => {
		const value = raw[key];
		if (value !== undefined && typeof value !== 'string') throw problem(key, 'a string');
		return value;
	};

	const config: WranglerConfig = { path: absolute, keepVars: false };
	config.name = optionalString('name');
	const main = optionalString('main');
	if (main !== undefined) config.main = resolve(directory, main);
	config.compatibilityDate = optionalString('compatibility_date');

	if (raw.vars !== undefined) {
		if (typeof raw.vars !== 'object' || raw.vars === null || Array.isArray(raw.vars)) throw problem('vars', 'a table of NAME = "value"');
		const vars: Record<string, string> = {};
		for (const [key, value] of Object.entries(raw.vars)) {
			// The platform's variables are text; wrangler's JSON-valued vars have no equivalent here.
			if (typeof value !== 'string') throw problem(`vars.${key}`, 'a string (this platform has text variables only)');
			vars[key] = value;
		}
		config.vars = vars;
	}
	if (raw.keep_vars !== undefined) {
		if (typeof raw.keep_vars !== 'boolean') throw problem('keep_vars', 'true or false');
		config.keepVars = raw.keep_vars;
	}
	if (raw.assets !== undefined) {
		const assets = raw.assets as Record<string, unknown>;
		if (typeof assets !== 'object' || assets === null || Array.isArray(assets)) throw problem('assets', 'a table with "directory"');
		if (assets.directory !== undefined) {
			if (typeof assets.directory !== 'string') throw problem('assets.directory', 'a string');
			config.assetsDirectory = resolve(directory, assets.directory);
		}
	}
	return config;
}

const isConfigFile = (path: string) => CONFIG_FILES.includes(basename(path) as never) || /\.(toml|jsonc?)$/.test(path);
const isEntryFile = (path: string) => (ENTRY_EXTENSIONS as readonly string[]).includes(extname(path));

/** The wrangler config in `directory`, if it has one. */
function configIn(directory: string): string | null {
	for (const file of CONFIG_FILES) if (existsSync(join(directory, file))) return join(directory, file);
	return null;
}

/**
 * The wrangler config that applies to an entry file given on its own: the nearest one in the file's
 * directory or above it, up to the project's root (the first directory with a package.json or .git).
 */
function configAbove(entry: string): string | null {
	let directory = dirname(entry);
	for (;;) {
		const found = configIn(directory);
		if (found) return found;
		if (existsSync(join(directory, 'package.json')) || existsSync(join(directory, '.git'))) return null;
		const parent = dirname(directory);
		if (parent === directory) return null;
		directory = parent;
	}
}

/** package.json's `name` (without its scope) and `main`, when the directory has one. */
function readPackageJson(directory: string): { name?: string; main?: string } {
	const path = join(directory, 'package.json');
	if (!existsSync(path)) return {};
	try {
		const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; main?: unknown };
		return {
			name: typeof pkg.name === 'string' ? pkg.name.replace(/^@[^/]+\//, '') : undefined,
			main: typeof pkg.main === 'string' ? pkg.main : undefined
		};
	} catch {
		throw usageError(`${shownPath(path)} is not valid JSON`);
	}
}

function checkEntry(entry: string, from: string): string {
	const shown = shownPath(entry);
	if (!existsSync(entry)) throw usageError(`cannot read ${shown}: no such file${from}`);
	if (statSync(entry).isDirectory()) throw usageError(`cannot read ${shown}: it is a directory${from}`);
	if (!isEntryFile(entry)) throw usageError(`${shown} is not a .js or .mjs file (nor a .ts or .mts one)${from}: wfp deploys ES module Workers`);
	return entry;
}

const stripExtension = (path: string) => basename(path).replace(/\.[^.]+$/, '');

/** Finds the entry and config for `wfp deploy [path]` (no path: the current directory). */
export function findProject(path = '.'): Project {
	const target = resolve(path);
	const shown = shownPath(target);
	if (!existsSync(target)) throw usageError(`cannot read ${path}: no such file`);

	if (statSync(target).isDirectory()) {
		const configPath = configIn(target);
		if (configPath) return fromConfig(readWranglerConfig(configPath));
		const pkg = readPackageJson(target);
		const defaultName = pkg.name
			? { name: pkg.name, from: 'package.json "name"' }
			: { name: basename(target), from: 'the directory name' };
		if (pkg.main) return { entry: checkEntry(resolve(target, pkg.main), ' (package.json "main")'), root: target, config: null, defaultName };
		for (const candidate of DEFAULT_ENTRIES) {
			const entry = join(target, candidate);
			if (existsSync(entry)) return { entry: checkEntry(entry, ''), root: target, config: null, defaultName };
		}
		throw usageError(
			`no Worker found in ${shown}: add a wrangler.jsonc with "main", a package.json with "main", or ${DEFAULT_ENTRIES.join(' or ')}`
		);
	}

	if (isConfigFile(target) && !isEntryFile(target)) return fromConfig(readWranglerConfig(target));

	const entry = checkEntry(target, '');
	const configPath = configAbove(entry);
	const config = configPath ? readWranglerConfig(configPath) : null;
	return {
		entry,
		root: config ? dirname(config.path) : dirname(entry),
		config,
		defaultName: config?.name
			? { name: config.name, from: `"name" in ${basename(config.path)}` }
			: { name: stripExtension(entry), from: 'the file name' }
	};
}

function fromConfig(config: WranglerConfig): Project {
	const file = basename(config.path);
	if (!config.main) throw usageError(`${shownPath(config.path)} has no "main": name the Worker's entry module there`);
	const root = dirname(config.path);
	return {
		entry: checkEntry(config.main, ` ("main" in ${file})`),
		root,
		config,
		defaultName: config.name ? { name: config.name, from: `"name" in ${file}` } : { name: basename(root), from: 'the directory name' }
	};
}
