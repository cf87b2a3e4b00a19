// What authenticating a call costs the API: workers.list p50/p99 with a customer's token on a platform
// of 1 000 customers and 10 000 tokens (every call hashes the token and reads D1 once), beside the
// same call with the admin token (no D1 read) and with a session cookie.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../scripts/migrations.js';
import { startApp } from '../scripts/launch-app.js';
import { summarize } from './load.js';

const WRANGLER = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const ADMIN_TOKEN = 'bench-admin-token';

const token = () => `wfp_${randomBytes(32).toString('base64url').replace(/[-_]/g, 'A').slice(0, 43)}`;
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Writes the customers and tokens straight into the state's D1 database (the API would take minutes). */
function seed(stateDir, { customers, tokensPerCustomer }) {
	const now = new Date().toISOString();
	const lines = [];
	const sample = [];
	for (let c = 0; c < customers; c++) {
		const id = `cus_bench${String(c).padStart(5, '0')}`;
		lines.push(
			`INSERT INTO customers (id, name, max_workers, max_script_bytes, cpu_ms, sub_requests, created_at, updated_at) VALUES ('${id}', 'Bench ${c}', 100, 1048576, 50, 50, '${now}', '${now}');`
		);
		for (let t = 0; t < tokensPerCustomer; t++) {
			const value = token();
			if (t === 0 && c % 10 === 0) sample.push(value);
			lines.push(`INSERT INTO tokens VALUES ('tok_bench${c}_${t}', '${id}', 'bench', '${sha256(value)}', '${now}', NULL);`);
		}
	}
	const file = join(stateDir, 'seed.sql');
	writeFileSync(file, lines.join('\n'));
	execFileSync(process.execPath, [WRANGLER, 'd1', 'execute', 'DB', '--local', '--persist-to', stateDir, '--file', file], {
		cwd: fileURLToPath(new URL('..', import.meta.url)),
		env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
		stdio: 'ignore'
	});
	return sample;
}

async function timedList(origin, headers) {
	const started = performance.now();
	const response = await fetch(`${origin}/api/trpc/workers.list`, { headers });
	await response.arrayBuffer();
	if (response.status !== 200) throw new Error(`workers.list answered ${response.status}`);
	return performance.now() - started;
}

export async function measureAuthenticatedList({ customers = 1000, tokensPerCustomer = 10, samples = 300 } = {}) {
	const stateDir = mkdtempSync(join(tmpdir(), 'wfp-bench-auth-'));
	try {
		await applyMigrations(stateDir);
		const tokens = seed(stateDir, { customers, tokensPerCustomer });
		const app = await startApp({ PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN }, { stateDir });
		try {
			const login = await fetch(`${app.url}/login`, {
				method: 'POST',
				headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ token: ADMIN_TOKEN }),
				redirect: 'manual'
			});
			const cookie = login.headers.get('set-cookie').split(';')[0];
			const kinds = {
				'customer token': (i) => ({ authorization: `Bearer ${tokens[i % tokens.length]}` }),
				'admin token': () => ({ authorization: `Bearer ${ADMIN_TOKEN}` }),
				'session cookie': () => ({ cookie })
			};
			for (const headers of Object.values(kinds)) for (let i = 0; i < 20; i++) await timedList(app.url, headers(i)); // warm-up
			const result = { customers, tokens: customers * tokensPerCustomer, samples };
			for (const [kind, headers] of Object.entries(kinds)) {
				const timings = [];
				for (let i = 0; i < samples; i++) timings.push(await timedList(app.url, headers(i)));
				result[kind] = summarize(timings);
			}
			return result;
		} finally {
			await app.stop();
		}
	} finally {
		rmSync(stateDir, { recursive: true, force: true });
	}
}
