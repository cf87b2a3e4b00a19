// `wfp login/logout/whoami`, `wfp customers …` and `wfp tokens …` run as a user runs them (bin/wfp.js in a
// subprocess, each "user" with its own XDG_CONFIG_HOME) against the app as `npm start` starts it, with an
// admin token, so that the operator and a customer work side by side.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useApp } from './use-app';
import { expectFailure, runWfp, WFP_BIN } from './wfp';

const ADMIN_TOKEN = 'operator-secret-for-cli-tests';
const app = useApp({ PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN, AUTH_MAX_FAILURES_PER_MINUTE: '1000' });

const files = mkdtempSync(join(tmpdir(), 'wfp-cli-customers-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));

const hello = join(files, 'hello.js');
writeFileSync(hello, 'export default { fetch() { return new Response("hello") } };\n');

/** A person at a terminal: their own config folder, and nothing in WFP_URL/WFP_TOKEN unless given. */
function user() {
	const configHome = mkdtempSync(join(files, 'home-'));
	const configFile = join(configHome, 'wfp', 'config.json');
	return {
		configFile,
		wfp: (args: string[], env: Record<string, string> = {}, input = '') =>
			runWfp(args, { WFP_URL: '', WFP_TOKEN: '', XDG_CONFIG_HOME: configHome, ...env }, input),
		stored: () => JSON.parse(readFileSync(configFile, 'utf8'))
	};
}

/** The operator, logged in with the admin token. */
async function operator() {
	const op = user();
	expect((await op.wfp(['login', '--url', app.url, '--token', ADMIN_TOKEN])).code).toBe(0);
	return op;
}

/** A new customer (through the CLI) and one of its tokens. */
async function customerWithToken(op: ReturnType<typeof user>, name: string, limits: string[] = []) {
	const created = await op.wfp(['customers', 'create', name, ...limits]);
	expect(created.code).toBe(0);
	const id = created.stdout.trim();
	expect(id).toMatch(/^cus_\w+$/);
	const token = await op.wfp(['tokens', 'create', 'laptop', '--customer', id]);
	expect(token.code).toBe(0);
	expect(token.stdout).toMatch(/^wfp_\w+\n$/);
	expect(token.stderr).toContain('this token is not shown again');
	return { id, token: token.stdout.trim() };
}

/** The rows of a table as cells, header first. */
const rowsOf = (stdout: string) => stdout.trimEnd().split('\n').map((row) => row.split(/ {2,}/));

describe('wfp login, whoami and logout', () => {
	it('has help for the new commands, with the exit codes', async () => {
		const main = await runWfp(['--help'], {});
		for (const command of ['login', 'logout', 'whoami', 'customers', 'tokens']) {
			expect(main.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
			const { code, stdout } = await runWfp([command, '--help'], {});
			expect(code).toBe(0);
			expect(stdout).toMatch(`Usage: wfp ${command}`);
			expect(stdout).toContain('Exit codes:');
		}
	});

	it('logs in with --token: stores the URL and token readable only by the user, and whoami uses them', async () => {
		const op = user();
		const login = await op.wfp(['login', '--url', app.url, '--token', ADMIN_TOKEN]);
		expect(login).toMatchObject({ code: 0, stdout: `signed in to ${app.url} as the operator\n` });
		expect(login.stdout + login.stderr).not.toContain(ADMIN_TOKEN);

		expect(op.stored()).toEqual({ url: app.url, token: ADMIN_TOKEN });
		expect(statSync(op.configFile).mode & 0o777).toBe(0o600);
		expect(statSync(join(op.configFile, '..')).mode & 0o777).toBe(0o700);

		// No --url, no WFP_URL, no token: all from the file.
		const whoami = await op.wfp(['whoami']);
		expect(whoami.code).toBe(0);
		expect(rowsOf(whoami.stdout)).toEqual([
			['signed in as', 'the operator'],
			['url', app.url],
			['token', `stored by wfp login (${op.configFile})`]
		]);
		expect(whoami.stdout).not.toContain(ADMIN_TOKEN);
	});

	it('logs in with a token from standard input, as a customer', async () => {
		const { id, token } = await customerWithToken(await operator(), 'Piped Ltd');
		const customer = user();
		const login = await customer.wfp(['login', '--url', app.url], {}, `${token}\n`);
		expect(login).toMatchObject({ code: 0, stdout: `signed in to ${app.url} as customer "Piped Ltd" (${id})\n` });
		expect(customer.stored()).toEqual({ url: app.url, token });

		const whoami = JSON.parse((await customer.wfp(['whoami', '--json'])).stdout);
		expect(whoami).toMatchObject({ url: app.url, kind: 'customer', customerId: id, customerName: 'Piped Ltd', tokenSource: 'config' });
		expect(JSON.stringify(whoami)).not.toContain(token);
	});

	it('refuses a wrong token with the auth exit code and stores nothing', async () => {
		const stranger = user();
		expectFailure(await stranger.wfp(['login', '--url', app.url, '--token', 'wfp_guessed']), 4, `${app.url} refused the token: nothing was stored`);
		expect(existsSync(stranger.configFile)).toBe(false);

		// A signed-in user who mistypes keeps the login they had.
		const op = await operator();
		expectFailure(await op.wfp(['login'], {}, 'not-the-token\n'), 4, `${app.url} refused the token: nothing was stored`);
		expect(op.stored()).toEqual({ url: app.url, token: ADMIN_TOKEN });
		expectFailure(await stranger.wfp(['login', '--url', app.url]), 2, /no token given/);
	});

	it('prompts for the token on a terminal without echoing it', async () => {
		// util-linux `script` gives wfp a pseudo-terminal; the answer is typed once the prompt shows.
		if (spawnSync('script', ['--version']).status !== 0) return void console.warn('skipped: no `script` command');
		const op = user();
		const child = spawn('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(WFP_BIN)} login --url ${app.url}`, '/dev/null'], {
			env: { ...process.env, WFP_URL: '', WFP_TOKEN: '', XDG_CONFIG_HOME: join(op.configFile, '../..') },
			stdio: ['pipe', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout.on('data', (chunk) => {
			output += chunk;
			if (output.includes('(not shown): ') && !child.stdin.writableEnded) child.stdin.end(`${ADMIN_TOKEN}\r`);
		});
		const code = await new Promise((resolve) => child.on('close', resolve));
		expect(code).toBe(0);
		expect(output).toContain(`signed in to ${app.url} as the operator`);
		expect(output).not.toContain(ADMIN_TOKEN);
		expect(op.stored()).toEqual({ url: app.url, token: ADMIN_TOKEN });
	});

	it('lets --token and WFP_TOKEN win over the stored token, which only ever goes to its own URL', async () => {
		const op = await operator();
		const { id, token } = await customerWithToken(op, 'Env Inc');

		const asCustomer = JSON.parse((await op.wfp(['whoami', '--json'], { WFP_TOKEN: token })).stdout);
		expect(asCustomer).toMatchObject({ kind: 'customer', customerId: id, tokenSource: 'WFP_TOKEN' });
		expectFailure(await op.wfp(['list'], { WFP_TOKEN: 'wfp_revoked' }), 4, 'the token in WFP_TOKEN was refused');
		expectFailure(await op.wfp(['list', '--token', 'wfp_wrong'], { WFP_TOKEN: token }), 4, 'the token was refused');

		// Another server (--url or WFP_URL) gets no token from the file.
		const seen: (string | undefined)[] = [];
		const other = createServer((request, response) => {
			seen.push(request.headers.authorization);
			response.writeHead(404).end();
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
		try {
			expect((await op.wfp(['list', '--url', otherUrl])).code).toBe(1);
			expect((await op.wfp(['whoami'], { WFP_URL: otherUrl })).code).toBe(1);
		} finally {
			other.close();
		}
		expect(seen).toEqual([undefined, undefined]);
	});
});

describe('wfp customers and tokens', () => {
	it('lets the operator create a customer whose token deploys and lists only its own Workers', async () => {
		const op = await operator();
		const { id, token } = await customerWithToken(op, 'Acme', ['--max-workers', '2', '--cpu-ms', '20']);

		const [header, ...rows] = rowsOf((await op.wfp(['customers', 'list'])).stdout);
		expect(header).toEqual(['ID', 'NAME', 'WORKERS', 'MAX SCRIPT', 'CPU MS', 'SUBREQUESTS', 'CREATED']);
		expect(rows.find((row) => row[0] === id)?.slice(1, 5)).toEqual(['Acme', '0 of 2', '1 MiB', '20']);

		const tokens = await op.wfp(['tokens', 'list', '--customer', id]);
		expect(rowsOf(tokens.stdout).map((row) => row[1])).toEqual(['LABEL', 'laptop']);
		expect(tokens.stdout).not.toContain(token);
		expectFailure(await op.wfp(['tokens', 'list']), 2, 'the operator names the customer: wfp tokens list --customer <id>');

		expect((await op.wfp(['deploy', hello, '--name', 'cli-ops-site'])).code).toBe(0);

		const customer = user();
		expect((await customer.wfp(['login', '--url', app.url, '--token', token])).code).toBe(0);
		expect(await customer.wfp(['deploy', hello, '--name', 'cli-acme-site'])).toMatchObject({ code: 0, stdout: `http://cli-acme-site.localhost:${new URL(app.url).port}/\n` });
		expect(await (await fetch(`${app.url}/user-workers/cli-acme-site/`)).text()).toBe('hello');

		// Only its own, and no OWNER column: they are all its own.
		expect(rowsOf((await customer.wfp(['list'])).stdout).map((row) => row.slice(0, 2))).toEqual([
			['NAME', 'URL'],
			['cli-acme-site', `http://cli-acme-site.localhost:${new URL(app.url).port}/`]
		]);
		expectFailure(await customer.wfp(['customers', 'list']), 4, "only the platform's operator (admin token) may list customers");
		expectFailure(await customer.wfp(['deploy', hello, '--name', 'cli-ops-site']), 1, 'the name "cli-ops-site" is taken; choose another name');
		expect((await customer.wfp(['deploy', hello, '--name', 'cli-acme-two'])).code).toBe(0);
		expectFailure(await customer.wfp(['deploy', hello, '--name', 'cli-acme-three']), 1, /your plan allows 2 Workers and you have 2 \(maxWorkers\)/);

		// The operator sees every Worker with its owner, and can filter by customer.
		const [opHeader, ...opRows] = rowsOf((await op.wfp(['list'])).stdout);
		expect(opHeader).toEqual(['NAME', 'OWNER', 'URL', 'SIZE', 'UPDATED']);
		const owners = Object.fromEntries(opRows.map((row) => [row[0], row[1]]));
		expect(owners).toMatchObject({ 'cli-acme-site': id, 'cli-acme-two': id, 'cli-ops-site': 'operator' });
		const filtered = JSON.parse((await op.wfp(['list', '--customer', id, '--json'])).stdout);
		expect(filtered.map((w: { name: string }) => w.name)).toEqual(['cli-acme-site', 'cli-acme-two']);
	});

	it('renames and re-plans a customer, and deletes it with its Workers only with --yes', async () => {
		const op = await operator();
		const { id, token } = await customerWithToken(op, 'Short Lived');
		expect((await op.wfp(['deploy', hello, '--name', 'cli-short-site'], { WFP_TOKEN: token })).code).toBe(0);

		const updated = JSON.parse(
			(await op.wfp(['customers', 'update', id, '--name', 'Renamed', '--max-script-bytes', '2048', '--max-asset-bytes', '4096', '--json'])).stdout
		);
		expect(updated).toMatchObject({ id, name: 'Renamed', plan: { maxScriptBytes: 2048, maxAssetBytes: 4096 } });
		const rows = rowsOf((await op.wfp(['customers', 'get', id])).stdout);
		expect(rows).toContainEqual(['workers', `1 of ${updated.plan.maxWorkers}`]);
		expect(rows).toContainEqual(['max asset bytes', '4 KiB (4096 bytes)']);
		expectFailure(await op.wfp(['customers', 'update', id, '--max-workers', '0']), 2, '--max-workers must be a whole number, at least 1, got "0"');

		expectFailure(await op.wfp(['customers', 'delete', id]), 2, `not deleting customer ${id} without confirmation: pass --yes`);
		expect((await fetch(`${app.url}/user-workers/cli-short-site/`)).status).toBe(200);
		expect(await op.wfp(['customers', 'delete', id, '--yes'])).toMatchObject({ code: 0, stdout: `deleted customer ${id} and its 1 Worker\n` });
		expect((await fetch(`${app.url}/user-workers/cli-short-site/`)).status).toBe(404);
		expectFailure(await op.wfp(['whoami'], { WFP_TOKEN: token }), 4, 'the token in WFP_TOKEN was refused');
	});

	it('revokes a token at once, and logout removes the stored one', async () => {
		const op = await operator();
		const { id, token } = await customerWithToken(op, 'Revoked Co');
		const customer = user();
		expect((await customer.wfp(['login', '--url', app.url, '--token', token])).code).toBe(0);

		// A customer makes and lists its own tokens, with no --customer.
		const second = await customer.wfp(['tokens', 'create', 'ci']);
		expect(second.code).toBe(0);
		const secondToken = second.stdout.trim();
		const listed: { id: string; label: string; customerId: string }[] = JSON.parse((await customer.wfp(['tokens', 'list', '--json'])).stdout);
		expect(listed.map((t) => [t.label, t.customerId]).sort()).toEqual([['ci', id], ['laptop', id]]);
		const laptop = listed.find((t) => t.label === 'laptop')!;

		expect(await op.wfp(['tokens', 'revoke', laptop.id])).toMatchObject({ code: 0, stdout: `revoked token ${laptop.id}: it stops working at once\n` });
		expectFailure(await customer.wfp(['whoami']), 4, `the token stored by wfp login for ${app.url} was refused (revoked?): run wfp login again`);
		expect(JSON.parse((await customer.wfp(['whoami', '--json'], { WFP_TOKEN: secondToken })).stdout)).toMatchObject({ customerId: id });

		const logout = await customer.wfp(['logout']);
		expect(logout).toMatchObject({ code: 0, stdout: `signed out of ${app.url}: removed its token from ${customer.configFile}\n` });
		expect(customer.stored()).toEqual({ url: app.url });
		expect(rowsOf((await customer.wfp(['whoami'])).stdout)).toEqual([
			['signed in as', 'nobody (anonymous)'],
			['url', app.url],
			['token', 'none']
		]);
		expect((await customer.wfp(['logout'])).stdout).toBe(`not signed in to ${app.url}: ${customer.configFile} holds no token for it\n`);
	});
});
