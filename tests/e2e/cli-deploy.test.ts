// `wfp deploy` building real projects (src/cli/deploy.ts), run as a user runs it against the app as
// `npm start` starts it: a hono project whose dependencies the setup installs from the npm registry,
// a wrangler.toml project, --dry-run --outdir, build errors and the static assets option.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProject } from '../support/project-files';
import { ADD_WASM } from '../support/module-fixtures';
import { freePort } from './app';
import { useApp } from './use-app';
import { expectFailure, runWfp } from './wfp';

const FIXTURE = join(process.cwd(), 'tests/fixtures/hono-project');
const HONO_VERSION = JSON.parse(readFileSync(join(FIXTURE, 'package.json'), 'utf8')).dependencies.hono as string;

const folders = mkdtempSync(join(tmpdir(), 'wfp-cli-deploy-'));
afterAll(() => rmSync(folders, { recursive: true, force: true }));

const project = (name: string, files: Record<string, string>) => writeProject(folders, name, files);

/** `wfp args...` with no stored login, against `url` (a closed port in the tests without a server). */
const wfp = (args: string[], url: string) => runWfp(args, { WFP_URL: url, WFP_TOKEN: '', XDG_CONFIG_HOME: join(folders, 'config') });

// The fixture's dependencies, from the registry as a customer's `npm install` gets them (not committed).
beforeAll(async () => {
	await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: FIXTURE });
	const installed = JSON.parse(readFileSync(join(FIXTURE, 'node_modules/hono/package.json'), 'utf8'));
	expect(installed.version).toBe(HONO_VERSION);
}, 120_000);

describe('wfp deploy without a server', () => {
	let nowhere: string;
	beforeAll(async () => {
		nowhere = `http://127.0.0.1:${await freePort()}`;
	});

	it('--dry-run --outdir writes the bundle and its metadata, uploads nothing, and the bundle runs on its own', async () => {
		const outdir = join(folders, 'out');
		const { code, stdout, stderr } = await wfp(['deploy', FIXTURE, '--dry-run', '--outdir', outdir], nowhere);
		expect(code).toBe(0);
		expect(stdout).toBe('');
		expect(stderr).toMatch(/^built tests\/fixtures\/hono-project\/src\/index\.ts → 1 module, [\d.]+ KiB \(gzip [\d.]+ KiB\) from \d+ files\n/);
		expect(stderr).toContain(`dry run: hono-fixture was not uploaded; wrote it to ${outdir}\n`);

		const metadata = JSON.parse(readFileSync(join(outdir, 'wfp-deploy.json'), 'utf8'));
		const bundle = readFileSync(join(outdir, 'index.js'), 'utf8');
		expect(metadata).toMatchObject({
			name: 'hono-fixture',
			mainModule: 'index.js',
			modules: { 'index.js': Buffer.byteLength(bundle) },
			bundled: true,
			entry: 'src/index.ts',
			compatibilityDate: '2026-08-01',
			vars: { GREETING: 'Hello from hono', MODE: 'test' }
		});
		// hono, the local module and the text file are all inside; no import is left to resolve.
		expect(bundle).toContain('node_modules/hono/');
		expect(bundle).not.toMatch(/^import /m);
		const worker = (await import(pathToFileURL(join(outdir, 'index.js')).href)).default;
		const response: Response = await worker.fetch(new Request('http://worker/hello/ada'), { GREETING: 'Hi' });
		expect(await response.json()).toEqual({ message: 'Hi, ada!' });
		expect(await (await worker.fetch(new Request('http://worker/'), {})).text()).toBe('built by wfp deploy');
	});

	it('--dry-run --json on the entry file applies the wrangler config above it', async () => {
		const { code, stdout } = await wfp(['deploy', join(FIXTURE, 'src/index.ts'), '--dry-run', '--json', '--name', 'other-name'], nowhere);
		expect(code).toBe(0);
		expect(JSON.parse(stdout)).toMatchObject({ name: 'other-name', entry: 'src/index.ts', vars: { GREETING: 'Hello from hono' } });
	});

	it('reports a build error with file:line:column and exits 1', async () => {
		const broken = project('broken', {
			'wrangler.jsonc': '{ "name": "broken-build", "main": "src/index.ts" }',
			'src/index.ts': 'import { answer } from "./lib";\nexport default { fetch: () => new Response(String(answer)) };\n',
			'src/lib.ts': 'export const answer: number =\n\t(42;\n'
		});
		expectFailure(await wfp(['deploy', broken, '--dry-run'], nowhere), 1, `build failed: ${broken}/src/lib.ts:2:5: Expected ")" but found ";"`);
		const missing = project('missing-import', { 'src/index.ts': 'import { x } from "not-installed";\nexport default { fetch: () => new Response(x) };\n' });
		expectFailure(await wfp(['deploy', missing, '--dry-run'], nowhere), 1, `build failed: ${missing}/src/index.ts:1:19: Could not resolve "not-installed"`);
	});

	it('checks the assets directory before building', async () => {
		const site = project('site', { 'public/index.html': '<h1>hi</h1>', 'src/index.js': 'export default { fetch: () => new Response("hi") };\n' });
		expectFailure(await wfp(['deploy', site, '--assets', join(site, 'nope')], nowhere), 2, /assets directory .*nope is not a directory/);
		writeFileSync(join(site, 'wrangler.json'), JSON.stringify({ name: 'site', main: 'src/index.js', assets: { directory: './missing' } }));
		expectFailure(await wfp(['deploy', site], nowhere), 2, /assets directory .*missing is not a directory/);
	});
});

describe('wfp deploy against npm start', () => {
	const app = useApp();
	const get = (path: string) => fetch(`${app.url}/user-workers${path}`);

	it('builds the hono project, uploads it, and its routes answer with the config vars from the first request', async () => {
		const { code, stdout, stderr } = await wfp(['deploy', FIXTURE], app.url);
		expect(code).toBe(0);
		const lines = stderr.trimEnd().split('\n');
		expect(lines[0]).toMatch(/^built tests\/fixtures\/hono-project\/src\/index\.ts → 1 module, [\d.]+ KiB \(gzip [\d.]+ KiB\) from \d+ files$/);
		expect(lines.slice(1)).toEqual([
			'vars: set GREETING, MODE',
			expect.stringMatching(/^deployed hono-fixture version 1 \([\d.]+ KiB, compatibility date 2026-08-01\)$/)
		]);
		expect(stdout).toMatch(/\/\n$/);

		expect(await (await get('/hono-fixture/')).text()).toBe('built by wfp deploy');
		expect(await (await get('/hono-fixture/hello/ada')).json()).toEqual({ message: 'Hello from hono, ada!' });
		expect(await (await get('/hono-fixture/env')).json()).toEqual({ GREETING: 'Hello from hono', MODE: 'test' });
		expect((await get('/hono-fixture/missing')).status).toBe(404);
		// The version that serves is the bundle as built, never without its vars.
		expect(JSON.parse((await wfp(['versions', 'hono-fixture', '--json'], app.url)).stdout)).toMatchObject({
			serving: 1,
			versions: [{ version: 1 }]
		});
	});

	it('deploys a wrangler.toml project; a redeploy sets changed vars before serving and removes vars the config does not name', async () => {
		const directory = project('toml', {
			'wrangler.toml': 'name = "toml-project"\nmain = "src/worker.ts"\ncompatibility_date = "2026-07-15"\n\n[vars]\nCOLOR = "blue"\n',
			'src/worker.ts': `import { shade } from './colors';
import table from './table.json';
interface Env { COLOR: string; EXTRA?: string }
export default {
	fetch: (_request: Request, env: Env) => Response.json({ color: env.COLOR, shade: shade(env.COLOR), size: table.size, extra: env.EXTRA ?? null })
};
`,
			'src/colors.ts': 'export const shade = (color: string): string => `dark ${color}`;\n',
			'src/table.json': '{ "size": 3 }'
		});
		const first = await wfp(['deploy', join(directory, 'wrangler.toml'), '--json'], app.url);
		expect(first.code).toBe(0);
		expect(JSON.parse(first.stdout)).toMatchObject({ name: 'toml-project', version: 1, compatibilityDate: '2026-07-15' });
		expect(await (await get('/toml-project/')).json()).toEqual({ color: 'blue', shade: 'dark blue', size: 3, extra: null });

		// A var set by hand, then a new config value: the redeploy sets COLOR and removes EXTRA, as wrangler does.
		expect((await wfp(['vars', 'set', 'toml-project', 'EXTRA=by-hand'], app.url)).code).toBe(0);
		writeFileSync(join(directory, 'wrangler.toml'), 'name = "toml-project"\nmain = "src/worker.ts"\n\n[vars]\nCOLOR = "green"\n');
		const second = await wfp(['deploy', directory, '-m', 'green'], app.url);
		expect(second.code).toBe(0);
		expect(second.stderr).toContain('vars: set COLOR; removed EXTRA\n');
		expect(second.stderr).toMatch(/deployed toml-project version 2 /);
		expect(await (await get('/toml-project/')).json()).toEqual({ color: 'green', shade: 'dark green', size: 3, extra: null });

		// keep_vars keeps the ones set by hand; unchanged vars mean one plain upload.
		expect((await wfp(['vars', 'set', 'toml-project', 'EXTRA=kept'], app.url)).code).toBe(0);
		writeFileSync(join(directory, 'wrangler.toml'), 'name = "toml-project"\nmain = "src/worker.ts"\nkeep_vars = true\n\n[vars]\nCOLOR = "green"\n');
		const third = await wfp(['deploy', directory], app.url);
		expect(third.stderr).not.toContain('vars:');
		expect(await (await get('/toml-project/')).json()).toMatchObject({ color: 'green', extra: 'kept' });
	});

	it("serves the config's assets.directory: public/index.html at / and the Worker for other paths", async () => {
		const site = project('site-live', {
			'wrangler.jsonc': '{ "name": "site-live", "main": "src/index.ts", "assets": { "directory": "./public" } }',
			'public/index.html': '<h1>from public</h1>',
			'src/index.ts': 'export default { fetch: (request: Request) => new Response(`worker: ${new URL(request.url).pathname}`) };\n'
		});
		const deployed = await wfp(['deploy', site], app.url);
		expect(deployed.code).toBe(0);
		expect(deployed.stderr).toMatch(/^assets: 1 files, 1 uploaded/m);
		const index = await get('/site-live/');
		expect(index.headers.get('content-type')).toMatch(/^text\/html/);
		expect(await index.text()).toBe('<h1>from public</h1>');
		expect(await (await get('/site-live/api')).text()).toBe('worker: /api');
	});

	it('uploads a .wasm import as a WebAssembly module of its own, as wrangler does', async () => {
		const directory = project('wasm-project', {
			'src/index.ts':
				"import add from './add.wasm';\n" +
				'const { exports } = new WebAssembly.Instance(add) as unknown as { exports: { add(a: number, b: number): number } };\n' +
				'export default { fetch: () => new Response(String(exports.add(2, 3))) };\n'
		});
		writeFileSync(join(directory, 'src/add.wasm'), Buffer.from(ADD_WASM, 'base64'));
		const deployed = await wfp(['deploy', join(directory, 'src/index.ts'), '--name', 'wasm-project'], app.url);
		expect(deployed.code).toBe(0);
		expect(deployed.stderr).toMatch(/→ 2 modules, /);
		expect(await (await get('/wasm-project/')).text()).toBe('5');
		expect(JSON.parse((await wfp(['get', 'wasm-project', '--source', '--json'], app.url)).stdout)).toMatchObject({
			mainModule: 'index.js',
			modules: { 'add.wasm': ADD_WASM }
		});
	});

	it('uploads nothing when the build fails, and a self-contained JavaScript entry as written', async () => {
		const broken = project('broken-live', { 'src/index.ts': 'export default { fetch: () => new Response("x") ;\n' });
		const failed = await wfp(['deploy', broken, '--name', 'never-uploaded'], app.url);
		expect(failed.code).toBe(1);
		expect(failed.stderr).toMatch(/^wfp: build failed: .*src\/index\.ts:1:\d+: /);
		expect((await get('/never-uploaded/')).status).toBe(404);

		const source = '// kept byte for byte\nexport default { fetch: () => new Response("plain") }\n';
		const plain = project('plain-js', { 'package.json': '{ "name": "plain-js", "main": "worker.js" }', 'worker.js': source });
		expect((await wfp(['deploy', plain], app.url)).code).toBe(0);
		expect((await wfp(['get', 'plain-js', '--source'], app.url)).stdout).toBe(source);
		expect(await (await get('/plain-js/')).text()).toBe('plain');
		expect(existsSync(join(plain, 'index.js'))).toBe(false);
	});
});
