// `npm start`: serves the built app in workerd with `wrangler dev` (KV persisted in .wrangler/state)
// and runs user Workers in a separate, supervised runner process (scripts/runner.js).
//
// Environment: PORT (default 8787), HOST (default localhost), WFP_STATE_DIR (default .wrangler/state),
// WFP_ISOLATION=off (run user Workers in the app's own process), and any platform setting from the
// README's configuration table (e.g. PLATFORM_ADMIN_TOKEN); `.dev.vars` is read as well.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { startRunner } from './runner.js';
import { PLATFORM_SETTINGS } from './settings.js';

const port = Number(process.env.PORT || 8787);
const host = process.env.HOST || 'localhost';
const isolation = process.env.WFP_ISOLATION !== 'off';
const stateDir = process.env.WFP_STATE_DIR || '.wrangler/state';

/** @type {Record<string, string>} */
const vars = {};
for (const name of PLATFORM_SETTINGS) if (process.env[name]) vars[name] = /** @type {string} */ (process.env[name]);

let runner;
if (isolation) {
	const secret = randomBytes(32).toString('hex');
	runner = await startRunner({ codeUrl: `http://127.0.0.1:${port}`, secret });
	Object.assign(vars, { RUNNER_URL: runner.url, RUNNER_SECRET: secret });
}

// Passed as an env file, not --var, so that wrangler lists them as hidden instead of printing secrets.
mkdirSync('.wrangler', { recursive: true });
const envFile = '.wrangler/start.env';
writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 });
const envFiles = ['.dev.vars', envFile].filter((file) => existsSync(file)).flatMap((file) => ['--env-file', file]);

const wrangler = spawn(
	process.execPath,
	[
		'node_modules/wrangler/bin/wrangler.js',
		'dev',
		'src/worker.ts',
		'--port', String(port),
		'--ip', host,
		'--persist-to', stateDir,
		'--show-interactive-dev-session=false',
		...envFiles
	],
	{ stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }
);

let stopping = false;
async function stop(code = 0) {
	if (stopping) return;
	stopping = true;
	wrangler.kill('SIGTERM');
	await runner?.stop().catch(() => {});
	process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
wrangler.on('exit', (code) => stop(code ?? 0));
