// How `wfp deploy [path]` finds a project's entry and reads its wrangler config (src/cli/project.ts), which
// JavaScript files it uploads as written (src/cli/build.ts), and the vars change it applies (src/cli/deploy.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeProject } from '../support/project-files.ts';
import { isSelfContained } from '../../src/cli/build.ts';
import { varsChange } from '../../src/cli/deploy.ts';
import { findProject, readWranglerConfig, stripJsonc } from '../../src/cli/project.ts';

const root = mkdtempSync(join(tmpdir(), 'wfp-project-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const project = (name: string, files: Record<string, string>) => writeProject(root, name, files);

const WORKER = 'export default { fetch: () => new Response("hi") };\n';

describe('stripJsonc', () => {
	it('blanks comments and trailing commas, keeps strings that look like them, and keeps every offset', () => {
		const text = '{\n\t// a comment\n\t"url": "http://x/*y*/", /* block\n\tcomment */\n\t"list": [1, 2,],\n\t"quote": "a\\"//b",\n}\n';
		const json = stripJsonc(text);
		expect(json).toHaveLength(text.length);
		expect(json.split('\n')).toHaveLength(text.split('\n').length);
		expect(JSON.parse(json)).toEqual({ url: 'http://x/*y*/', list: [1, 2], quote: 'a"//b' });
	});

	it('keeps a comma before a comment that precedes another value', () => {
		expect(JSON.parse(stripJsonc('[1, // one\n 2 /* two */, ]'))).toEqual([1, 2]);
	});
});

describe('readWranglerConfig', () => {
	it('reads name, main, compatibility_date, vars, keep_vars and assets.directory from JSONC', () => {
		const directory = project('jsonc', {
			'wrangler.jsonc': `// comment
{
	"name": "my-worker",
	"main": "src/index.ts",
	"compatibility_date": "2026-08-01",
	"vars": { "GREETING": "hi", }, /* trailing commas */
	"keep_vars": true,
	"assets": { "directory": "./public" },
	"observability": { "enabled": true },
}`
		});
		expect(readWranglerConfig(join(directory, 'wrangler.jsonc'))).toEqual({
			path: join(directory, 'wrangler.jsonc'),
			name: 'my-worker',
			main: join(directory, 'src/index.ts'),
			compatibilityDate: '2026-08-01',
			vars: { GREETING: 'hi' },
			keepVars: true,
			assetsDirectory: join(directory, 'public')
		});
	});

	it('reads the same keys from TOML', () => {
		const directory = project('toml', {
			'wrangler.toml': `name = "toml-worker"
main = "src/worker.js"
compatibility_date = "2026-07-01"

[vars]
MODE = "prod"
API_URL = "https://example.com"

[assets]
directory = "static"
`
		});
		expect(readWranglerConfig(join(directory, 'wrangler.toml'))).toEqual({
			path: join(directory, 'wrangler.toml'),
			name: 'toml-worker',
			main: join(directory, 'src/worker.js'),
			compatibilityDate: '2026-07-01',
			vars: { MODE: 'prod', API_URL: 'https://example.com' },
			keepVars: false,
			assetsDirectory: join(directory, 'static')
		});
	});

	it('names the file, line and column of a syntax error', () => {
		const jsonc = project('bad-jsonc', { 'wrangler.jsonc': '{\n\t"name": "x"\n\t"main": "y"\n}\n' });
		expect(() => readWranglerConfig(join(jsonc, 'wrangler.jsonc'))).toThrow(/wrangler\.jsonc:3:2: invalid JSON: /);
		const toml = project('bad-toml', { 'wrangler.toml': 'name = "x"\nmain = \n' });
		expect(() => readWranglerConfig(join(toml, 'wrangler.toml'))).toThrow(/wrangler\.toml:2:\d+: invalid TOML: /);
	});

	it('refuses keys of the wrong type, naming them', () => {
		const config = (text: string) => readWranglerConfig(join(project(`typed-${Math.random()}`, { 'wrangler.json': text }), 'wrangler.json'));
		expect(() => config('{ "name": 3 }')).toThrow('"name" must be a string');
		expect(() => config('{ "vars": ["A"] }')).toThrow('"vars" must be a table');
		expect(() => config('{ "vars": { "LIMIT": 10 } }')).toThrow('"vars.LIMIT" must be a string (this platform has text variables only)');
		expect(() => config('{ "keep_vars": "yes" }')).toThrow('"keep_vars" must be true or false');
		expect(() => config('{ "assets": { "directory": false } }')).toThrow('"assets.directory" must be a string');
		expect(() => config('[1]')).toThrow('the config must be an object');
	});
});

describe('findProject', () => {
	it('takes a directory with a wrangler config: its main, its name', () => {
		const directory = project('with-config', { 'wrangler.jsonc': '{ "name": "from-config", "main": "src/app.ts" }', 'src/app.ts': WORKER });
		expect(findProject(directory)).toMatchObject({
			entry: join(directory, 'src/app.ts'),
			root: directory,
			config: { name: 'from-config' },
			defaultName: { name: 'from-config', from: '"name" in wrangler.jsonc' }
		});
	});

	it('prefers wrangler.json, then wrangler.jsonc, then wrangler.toml, as wrangler does', () => {
		const directory = project('all-three', {
			'wrangler.toml': 'name = "toml"\nmain = "a.js"',
			'wrangler.jsonc': '{ "name": "jsonc", "main": "a.js" }',
			'a.js': WORKER
		});
		expect(findProject(directory).config?.name).toBe('jsonc');
		writeFileSync(join(directory, 'wrangler.json'), '{ "name": "json", "main": "a.js" }');
		expect(findProject(directory).config?.name).toBe('json');
	});

	it('takes a wrangler config file given as the path', () => {
		const directory = project('config-path', { 'deploy/staging.toml': 'name = "staging"\nmain = "../src/index.js"', 'src/index.js': WORKER });
		expect(findProject(join(directory, 'deploy/staging.toml'))).toMatchObject({
			entry: join(directory, 'src/index.js'),
			root: join(directory, 'deploy'),
			defaultName: { name: 'staging' }
		});
	});

	it('falls back to package.json "main", then src/index.ts, naming the Worker after package.json or the directory', () => {
		const withMain = project('pkg-main', { 'package.json': '{ "name": "@acme/shop", "main": "worker.mjs" }', 'worker.mjs': WORKER });
		expect(findProject(withMain)).toMatchObject({ entry: join(withMain, 'worker.mjs'), config: null, defaultName: { name: 'shop', from: 'package.json "name"' } });
		const plain = project('plain-dir', { 'src/index.ts': WORKER, 'src/index.js': WORKER });
		expect(findProject(plain)).toMatchObject({ entry: join(plain, 'src/index.ts'), defaultName: { name: 'plain-dir', from: 'the directory name' } });
	});

	it('applies the config above an entry file given on its own, up to the project root', () => {
		const directory = project('entry-file', {
			'package.json': '{}',
			'wrangler.toml': 'name = "entry-config"\nmain = "src/other.ts"\n[vars]\nA = "1"',
			'src/index.ts': WORKER
		});
		const found = findProject(join(directory, 'src/index.ts'));
		expect(found).toMatchObject({ entry: join(directory, 'src/index.ts'), root: directory, config: { vars: { A: '1' } }, defaultName: { name: 'entry-config' } });
		// A config outside the project root (beyond package.json) does not apply.
		const nested = project('entry-file/packages/inner', { 'package.json': '{}', 'index.js': WORKER });
		expect(findProject(join(nested, 'index.js'))).toMatchObject({ config: null, defaultName: { name: 'index', from: 'the file name' } });
	});

	it('says what is missing', () => {
		expect(() => findProject(project('empty', { 'README.md': '' }))).toThrow(/no Worker found in .*empty: add a wrangler\.jsonc with "main"/);
		const noMain = project('no-main', { 'wrangler.jsonc': '{ "name": "x" }' });
		expect(() => findProject(noMain)).toThrow('has no "main"');
		const badMain = project('bad-main', { 'wrangler.jsonc': '{ "main": "src/gone.ts" }' });
		expect(() => findProject(badMain)).toThrow(/cannot read .*src\/gone\.ts: no such file \("main" in wrangler\.jsonc\)/);
		expect(() => findProject(join(project('text', { 'notes.txt': 'hi' }), 'notes.txt'))).toThrow(/is not a \.js or \.mjs file \(nor a \.ts or \.mts one\)/);
		expect(() => findProject(join(root, 'nothing-here.ts'))).toThrow(/cannot read .*nothing-here\.ts: no such file/);
	});
});

describe('isSelfContained', () => {
	it('is true for a module importing only cloudflare:* and node:*, and for one that does not parse', () => {
		expect(isSelfContained(WORKER)).toBe(true);
		expect(isSelfContained('import { DurableObject } from "cloudflare:workers";\nimport { Buffer } from "node:buffer";\n' + WORKER)).toBe(true);
		expect(isSelfContained('export default { fetch() { return new Response("oops" } };')).toBe(true);
	});

	it('is false for local and package imports, re-exports, import() and require()', () => {
		expect(isSelfContained('import { x } from "./lib.js";\n' + WORKER)).toBe(false);
		expect(isSelfContained('import { Hono } from "hono";\n' + WORKER)).toBe(false);
		expect(isSelfContained('export { x } from "./lib.js";\n' + WORKER)).toBe(false);
		expect(isSelfContained('export * from "./lib.js";\n' + WORKER)).toBe(false);
		expect(isSelfContained('export default { fetch: async () => (await import("./lazy.js")).default() };')).toBe(false);
		expect(isSelfContained('const lib = require("lib");\n' + WORKER)).toBe(false);
	});
});

describe('varsChange', () => {
	it("sets the config's vars that differ and removes the others, unless keep_vars", () => {
		const current = { SAME: '1', CHANGED: 'old', EXTRA: 'x' };
		const wanted = { SAME: '1', CHANGED: 'new', ADDED: 'a' };
		expect(varsChange(current, wanted, false)).toEqual({ CHANGED: 'new', ADDED: 'a', EXTRA: null });
		expect(varsChange(current, wanted, true)).toEqual({ CHANGED: 'new', ADDED: 'a' });
		expect(varsChange(wanted, wanted, false)).toEqual({});
	});
});
