// The `wfp` CLI run as a user runs it (a subprocess of bin/wfp.js, and once through `npx wfp`) against the
// app as `npm start` starts it.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startApp, type RunningApp } from './app';
import { expectFailure, runWfp, WFP_BIN as BIN } from './wfp';

/** A Worker's own origin on an app `npm start` serves (PLATFORM_HOST is localhost:<port>). */
const hostUrlOn = (app: RunningApp, name: string) => `http://${name}.localhost:${new URL(app.url).port}/`;

const files = mkdtempSync(join(tmpdir(), 'wfp-cli-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));

function file(name: string, content: string): string {
	const path = join(files, name);
	writeFileSync(path, content);
	return path;
}

const echo = file(
	'echo.js',
	`export default {
	async fetch(request) {
		const url = new URL(request.url);
		return Response.json(
			{ method: request.method, path: url.pathname + url.search, greeting: request.headers.get('x-greeting'), body: await request.text() },
			{ status: 201, headers: { 'x-from-worker': 'echo' } }
		);
	}
};
`
);

/** `wfp args...` with WFP_URL/WFP_TOKEN only from `env`, stdin a pipe holding `input`, and no stored login. */
const wfp = (args: string[], env: Record<string, string> = {}, input = '') =>
	runWfp(args, { WFP_URL: '', WFP_TOKEN: '', XDG_CONFIG_HOME: join(files, 'config'), ...env }, input);

describe('wfp without a server', () => {
	it('has help for every command, with the exit codes', async () => {
		for (const command of ['', 'deploy', 'list', 'get', 'delete', 'call', 'versions', 'rollback', 'vars', 'secret']) {
			const { code, stdout } = await wfp(command ? [command, '--help'] : ['--help']);
			expect(code).toBe(0);
			expect(stdout).toMatch(command ? `Usage: wfp ${command}` : 'Usage: wfp <command>');
			expect(stdout).toContain('Exit codes:');
			expect(stdout).toContain('--url <url>');
		}
	});

	it('runs from the repository with npx, and prints its version', async () => {
		const { stdout } = await promisify(execFile)('npx', ['wfp', '--version']);
		const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
		expect(stdout).toBe(`wfp ${version}\n`);
	});

	it('rejects a bad command line with exit code 2', async () => {
		expectFailure(await wfp(['deploy', echo, '--source']), 2, `wfp deploy has no option --source`);
		expectFailure(await wfp(['list', '--bogus']), 2, 'unknown option --bogus');
		expectFailure(await wfp(['frobnicate']), 2, 'unknown command "frobnicate"');
		expectFailure(await wfp(['constructor']), 2, 'unknown command "constructor"');
		expectFailure(await wfp(['get']), 2, 'wrong number of arguments; usage: wfp get <name>');
		expectFailure(await wfp(['list', '--url', 'ftp://example.com']), 2, '--url must be an http:// or https:// URL');
		expectFailure(await wfp(['deploy', file('notes.txt', 'hi')]), 2, /is not a \.js or \.mjs file/);
		expectFailure(await wfp(['deploy', join(files, 'missing.js')]), 2, /cannot read .*missing\.js: no such file/);
		expectFailure(await wfp(['call', 'echo', '-H', 'no colon']), 2, 'header "no colon" must look like "Name: value"');
	});

	it('checks names with the server rules before any request', async () => {
		// Nothing listens at this URL: a request would fail with exit code 3, not 2.
		const url = `http://127.0.0.1:${await freePort()}`;
		expectFailure(
			await wfp(['deploy', file('Hello.js', 'export default {}')], { WFP_URL: url }),
			2,
			'invalid Worker name "Hello": name must be lowercase (taken from the file name; choose one with --name)'
		);
		expectFailure(await wfp(['deploy', echo, '--name', 'api'], { WFP_URL: url }), 2, /"api" is reserved by the platform/);
		expectFailure(await wfp(['get', 'no_underscores', '--url', url]), 2, /may only contain a-z, 0-9 and "-"/);
		expectFailure(await wfp(['delete', '--yes', '--url', url, '--', '-bad']), 2, /must not start or end with "-"/);
		expectFailure(await wfp(['call', 'x'.repeat(64), '--url', url]), 2, /the limit is 63/);
	});

	it('says when the platform cannot be reached', async () => {
		const url = `http://127.0.0.1:${await freePort()}`;
		expectFailure(await wfp(['list', '--url', url]), 3, `cannot reach ${url}: is \`npm start\` running?`);
		expectFailure(await wfp(['deploy', echo], { WFP_URL: url }), 3, `cannot reach ${url}: is \`npm start\` running?`);
		expectFailure(await wfp(['call', 'echo', '--url', url]), 3, `cannot reach ${url}: is \`npm start\` running?`);
	});

	it('says when --url is not a workers-platform server', async () => {
		const server = createServer((_request, response) => response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Nope</h1>'));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		try {
			const notPlatform = new RegExp(`^wfp: ${url} did not answer as a workers-platform server \\(.+\\); check --url\n$`);
			expectFailure(await wfp(['list', '--url', url]), 1, notPlatform);
		} finally {
			server.close();
		}
	});
});

describe('wfp against npm start', () => {
	let app: RunningApp;
	let env: Record<string, string>;
	beforeAll(async () => {
		app = await startApp();
		env = { WFP_URL: app.url };
	});
	afterAll(() => app?.stop());
	const hostUrl = (name: string) => hostUrlOn(app, name);

	it('deploys a file under its base name and prints the URL', async () => {
		const { code, stdout, stderr } = await wfp(['deploy', echo], env);
		expect(code).toBe(0);
		expect(stdout).toBe(`${hostUrl('echo')}\n`);
		expect(stderr).toMatch(/^deployed echo version 1 \(\d+ B, compatibility date \d{4}-\d\d-\d\d\)\n$/);
		expect((await fetch(`${app.url}/user-workers/echo/`)).status).toBe(201);
	});

	it('deploys under --name with --json, and --url overrides WFP_URL', async () => {
		const { code, stdout } = await wfp(['deploy', echo, '-n', 'echo-two', '--json', '--url', app.url], {
			WFP_URL: 'http://127.0.0.1:1'
		});
		expect(code).toBe(0);
		const record = JSON.parse(stdout);
		expect(Object.keys(record).sort()).toEqual(
			[
				'compatibilityDate',
				'createdAt',
				'customerId',
				'deployment',
				'hostUrl',
				'limits',
				'name',
				'scriptId',
				'settings',
				'sha256',
				'size',
				'updatedAt',
				'uploaded',
				'url',
				'version'
			].sort()
		);
		expect(record).toMatchObject({ name: 'echo-two', url: `${app.url}/user-workers/echo-two/`, size: readFileSync(echo).length });
	});

	it('calls a Worker with a method, headers, a path and a body, and prints the response', async () => {
		const { code, stdout } = await wfp(
			['call', 'echo', '/some/path?q=1', '-X', 'put', '-H', 'X-Greeting: hello there', '-d', 'the body'],
			env
		);
		expect(code).toBe(0);
		const [head, body] = stdout.split('\n\n');
		const [status, ...headers] = head.split('\n');
		expect(status).toBe('HTTP 201 Created');
		expect(headers).toContain('x-from-worker: echo');
		expect(headers).toContain('content-type: application/json');
		expect(JSON.parse(body)).toEqual({ method: 'PUT', path: '/some/path?q=1', greeting: 'hello there', body: 'the body' });
	});

	it('calls with -d @file as a POST, and with --json', async () => {
		const { code, stdout } = await wfp(['call', 'echo', 'from-file', '-d', `@${file('body.txt', 'file body')}`, '--json'], env);
		expect(code).toBe(0);
		const response = JSON.parse(stdout);
		expect(response).toMatchObject({ status: 201, statusText: 'Created', headers: { 'x-from-worker': 'echo' } });
		expect(JSON.parse(response.body)).toEqual({ method: 'POST', path: '/from-file', greeting: null, body: 'file body' });
	});

	it('shows a record, and the source exactly as uploaded', async () => {
		const shown = await wfp(['get', 'echo'], env);
		expect(shown.code).toBe(0);
		expect(shown.stdout).toMatch(/^name +echo$/m);
		expect(shown.stdout).toMatch(new RegExp(`^url +${hostUrl('echo')}$`, 'm'));
		expect(shown.stdout).toMatch(new RegExp(`^shared url +${app.url}/user-workers/echo/$`, 'm'));
		expect(shown.stdout).toMatch(/^sha256 +[0-9a-f]{64}$/m);

		const source = await wfp(['get', 'echo', '--source'], env);
		expect(source.code).toBe(0);
		expect(source.stdout).toBe(readFileSync(echo, 'utf8'));

		const json = JSON.parse((await wfp(['get', 'echo', '--source', '--json'], env)).stdout);
		expect(json).toMatchObject({ name: 'echo', code: readFileSync(echo, 'utf8') });
	});

	it('lists every Worker across several pages', async () => {
		for (const name of ['list-a', 'list-b', 'list-c']) expect((await wfp(['deploy', echo, '--name', name], env)).code).toBe(0);
		const names = ['echo', 'echo-two', 'list-a', 'list-b', 'list-c'];

		const json = await wfp(['list', '--json', '--page-size', '2'], env);
		expect(json.code).toBe(0);
		const workers = JSON.parse(json.stdout);
		expect(workers.map((w: { name: string }) => w.name)).toEqual(names);
		expect(workers[0]).toMatchObject({ name: 'echo', url: `${app.url}/user-workers/echo/` });

		const table = await wfp(['list', '--page-size', '2'], env);
		expect(table.code).toBe(0);
		const [header, ...rows] = table.stdout.trimEnd().split('\n');
		// Open mode: everyone is the operator, who sees each Worker's owner.
		expect(header.split(/ {2,}/)).toEqual(['NAME', 'OWNER', 'URL', 'SIZE', 'UPDATED']);
		expect(rows.map((row) => row.split(/ {2,}/)[0])).toEqual(names);
		expect(rows[0].split(/ {2,}/).slice(1)).toEqual([
			'operator',
			hostUrl('echo'),
			`${readFileSync(echo).length} B`,
			expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
		]);
	});

	it('reports a syntax error on one line and keeps the deployed version', async () => {
		const broken = file('broken.js', 'export default {\n\tfetch() { return new Response("oops" }\n};\n');
		expectFailure(await wfp(['deploy', broken, '--name', 'echo'], env), 1, /^wfp: broken\.js: syntax error at line 2, column \d+: .+\n$/);
		expect((await fetch(`${app.url}/user-workers/echo/`)).headers.get('x-from-worker')).toBe('echo');
	});

	it('passes on the server validation message', async () => {
		const serviceWorker = file('sw.js', "addEventListener('fetch', (event) => event.respondWith(new Response('hi')));\n");
		const { stderr, code } = await wfp(['deploy', serviceWorker], env);
		expect(code).toBe(1);
		expect(stderr).toMatch(/^wfp: .*export default/);
	});

	it('deletes only with confirmation: --yes, since stdin is not a terminal', async () => {
		expectFailure(await wfp(['delete', 'list-a'], env), 2, 'not deleting list-a without confirmation: pass --yes');
		expect((await fetch(`${app.url}/user-workers/list-a/`)).status).toBe(201);

		const deleted = await wfp(['delete', 'list-a', '--yes'], env);
		expect(deleted).toMatchObject({ code: 0, stdout: 'deleted list-a\n' });
		expect((await fetch(`${app.url}/user-workers/list-a/`)).status).toBe(404);

		expect(JSON.parse((await wfp(['delete', 'list-b', '-y', '--json'], env)).stdout)).toEqual({ name: 'list-b', deleted: true });
	});

	it('says "not found" for an unknown Worker', async () => {
		expectFailure(await wfp(['get', 'list-a'], env), 1, 'not found: no Worker is named "list-a"');
		expectFailure(await wfp(['delete', 'nobody', '--yes'], env), 1, 'not found: no Worker is named "nobody"');
	});

	it("strips a Worker's escape sequences on a terminal, and keeps every byte through a pipe", async () => {
		// The source holds raw ESC and BEL characters (in a comment); the response body escape sequences that
		// set the window title, clear the screen and colour the text.
		const source = 'export default {\n\t// \x1b]0;title from the source\x07\n\tfetch: () => new Response("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x1b[0m\\x9b1m end\\n")\n};\n';
		expect((await wfp(['deploy', file('hostile.js', source)], env)).code).toBe(0);
		const piped = await wfp(['get', 'hostile', '--source'], env);
		expect(piped.stdout).toBe(source);
		expect((await wfp(['call', 'hostile'], env)).stdout).toContain('\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\x9b1m end\n');

		// On a terminal (a pseudo-terminal from util-linux `script`), errors included.
		const broken = file('broken-hostile.js', 'export default { fetch() { return "\x1b]0;pwned\x07" + } }\n');
		const command = [process.execPath, BIN, 'get', 'hostile', '--source', ';', process.execPath, BIN, 'call', 'hostile', ';', process.execPath, BIN, 'deploy', broken]
			.map((part) => (part === ';' ? part : `'${part}'`))
			.join(' ');
		const onTerminal = await new Promise<string>((resolve, reject) => {
			const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, WFP_URL: app.url }, stdio: ['pipe', 'pipe', 'inherit'] });
			let output = '';
			child.stdout.on('data', (chunk) => (output += chunk));
			child.on('error', reject);
			child.on('close', () => resolve(output));
			child.stdin.end();
		});
		// A terminal output turns \n into \r\n; the title command goes with its text, the code around it stays.
		expect(onTerminal).toContain('export default {\r\n\t// \r\n\tfetch: () => new Response(');
		expect(onTerminal).toContain('red end');
		expect(onTerminal).toMatch(/wfp: \S+\.js: syntax error at line 1/);
		// The spinner's own line erase (ESC [2K) may appear while a request takes long; nothing else may.
		expect(onTerminal.replaceAll('\x1b[2K', '')).not.toMatch(/[\x07\x1b\x9b]/);
	});

	it('deploys with --message, lists versions, and rolls back', async () => {
		const v1 = file('flip.js', 'export default { fetch: () => new Response("one") }');
		expect((await wfp(['deploy', v1, '-m', 'first cut'], env)).stderr).toContain('deployed flip version 1');
		const v2 = file('flip.js', 'export default { fetch: () => new Response("two") }');
		expect((await wfp(['deploy', v2, '--message', 'second cut'], env)).stderr).toContain('deployed flip version 2');
		const listed = await wfp(['versions', 'flip'], env);
		expect(listed.code).toBe(0);
		const lines = listed.stdout.trimEnd().split('\n');
		expect(lines[0]).toMatch(/^VERSION +CREATED +BY +SIZE +MESSAGE$/);
		expect(lines[1]).toMatch(/^2 \(serving\) +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC +operator +\d+ B +second cut$/);
		expect(lines[2]).toMatch(/^1 .* first cut$/);

		const rolled = await wfp(['rollback', 'flip', '1'], env);
		expect(rolled).toMatchObject({ code: 0, stdout: `flip serves version 1 again (${hostUrl('flip')})\n` });
		expect(await (await fetch(`${app.url}/user-workers/flip/`)).text()).toBe('one');
		expect(JSON.parse((await wfp(['versions', 'flip', '--json'], env)).stdout)).toMatchObject({ serving: 1 });
		expectFailure(await wfp(['rollback', 'flip', 'latest'], env), 2, 'version must be a whole number like 3, got "latest"');
		expectFailure(await wfp(['rollback', 'flip', '9'], env), 1, 'not found: "flip" has no version 9');
	});

	it('sets variables and puts a secret from standard input that the Worker sees on env and nothing prints', async () => {
		const secretValue = 'cli-secret-never-printed-5150';
		const envEcho = file('configured.js', 'export default { fetch: (request, env) => Response.json(env) }');
		expect((await wfp(['deploy', envEcho], env)).code).toBe(0);
		expect((await wfp(['vars', 'set', 'configured', 'MODE=prod', 'REGION=eu'], env)).code).toBe(0);
		const put = await wfp(['secret', 'put', 'configured', 'API_KEY'], env, `${secretValue}\n`);
		expect(put).toMatchObject({ code: 0, stdout: 'put secret API_KEY on configured; the next request sees it\n' });
		expect(await (await fetch(`${app.url}/user-workers/configured/`)).json()).toEqual({ MODE: 'prod', REGION: 'eu', API_KEY: secretValue });

		const outputs = [
			put,
			await wfp(['secret', 'list', 'configured'], env),
			await wfp(['secret', 'list', 'configured', '--json'], env),
			await wfp(['vars', 'list', 'configured'], env),
			await wfp(['get', 'configured', '--json'], env)
		];
		expect(outputs[1].stdout).toBe('API_KEY\n');
		expect(JSON.parse(outputs[2].stdout)).toEqual(['API_KEY']);
		expect(outputs[3].stdout).toMatch(/^NAME +VALUE\nMODE +prod\nREGION +eu\n$/);
		for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(secretValue);

		expect((await wfp(['vars', 'unset', 'configured', 'REGION'], env)).code).toBe(0);
		expect((await wfp(['secret', 'delete', 'configured', 'API_KEY'], env)).code).toBe(0);
		expect(await (await fetch(`${app.url}/user-workers/configured/`)).json()).toEqual({ MODE: 'prod' });
		expectFailure(await wfp(['secret', 'put', 'configured', 'API_KEY', secretValue], env), 2, /never an argument/);
		expectFailure(await wfp(['vars', 'set', 'configured', 'no-equals'], env), 2, '"no-equals" must look like NAME=value');
		expectFailure(await wfp(['vars', 'set', 'configured', '9X=1'], env), 1, /variable name "9X" must be letters/);
	});
});

describe('wfp against a platform with an admin token', () => {
	let app: RunningApp;
	beforeAll(async () => {
		app = await startApp({ PLATFORM_ADMIN_TOKEN: 'secret' });
	});
	afterAll(() => app?.stop());
	const hostUrl = (name: string) => hostUrlOn(app, name);

	it('asks for a token, refuses a wrong one, and deploys with the right one', async () => {
		expectFailure(
			await wfp(['deploy', echo], { WFP_URL: app.url }),
			4,
			'the server needs a token: run wfp login, pass --token or set WFP_TOKEN'
		);
		expectFailure(await wfp(['deploy', echo, '--token', 'wrong'], { WFP_URL: app.url }), 4, 'the token was refused');
		const deployed = await wfp(['deploy', echo], { WFP_URL: app.url, WFP_TOKEN: 'secret' });
		expect(deployed).toMatchObject({ code: 0, stdout: `${hostUrl('echo')}\n` });
		expect((await wfp(['delete', 'echo', '--yes', '--token', 'secret'], { WFP_URL: app.url })).code).toBe(0);
	});
});
