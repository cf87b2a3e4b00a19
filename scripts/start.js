// `npm start`: serves the built app in workerd (scripts/platform-server.js; KV persisted in
// .wrangler/state, where `wrangler dev` keeps it) and runs user Workers in a separate, supervised runner
// process (scripts/runner.js).
//
// Environment: PORT (default 8787), HOST (default localhost), WFP_STATE_DIR (default .wrangler/state),
// WFP_ISOLATION=off (run user Workers in the app's own process), and any platform setting from the
// README's configuration table (e.g. PLATFORM_ADMIN_TOKEN); `.dev.vars` is read as well, as wrangler reads it.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { startPlatformServer } from './platform-server.js';
import { startRunner } from './runner.js';
import { PLATFORM_SETTINGS } from './settings.js';

const port = Number(process.env.PORT || 8787);
const host = process.env.HOST || 'localhost';
const isolation = process.env.WFP_ISOLATION !== 'off';
const stateDir = process.env.WFP_STATE_DIR || '.wrangler/state';

/** @type {Record<string, string>} */
const vars = existsSync('.dev.vars') ? /** @type {Record<string, string>} */ (parseEnv(readFileSync('.dev.vars', 'utf8'))) : {};
for (const name of PLATFORM_SETTINGS) if (process.env[name]) vars[name] = /** @type {string} */ (process.env[name]);
// Workers' secrets are stored encrypted under PLATFORM_SECRETS_KEY: the first run that starts generates one
// into .dev.vars, where later runs find it (without it, the secrets stored so far cannot be read).
const generatedSecretsKey = vars.PLATFORM_SECRETS_KEY ? null : randomBytes(32).toString('hex');
if (generatedSecretsKey) vars.PLATFORM_SECRETS_KEY = generatedSecretsKey;

let runner;
if (isolation) {
	const secret = randomBytes(32).toString('hex');
	runner = await startRunner({ codeUrl: `http://127.0.0.1:${port}`, secret });
	Object.assign(vars, { RUNNER_URL: runner.url, RUNNER_SECRET: secret });
}

const server = await startPlatformServer({ port, host, stateDir, vars }).catch(async (error) => {
	await runner?.stop();
	if (error?.code !== 'ERR_ADDRESS_IN_USE') throw error;
	console.error(`Port ${port} on ${host} is in use: stop what runs there, or start on another port (PORT=9000 npm start).`);
	process.exit(1);
});
if (generatedSecretsKey) {
	const separator = existsSync('.dev.vars') && !readFileSync('.dev.vars', 'utf8').endsWith('\n') ? '\n' : '';
	appendFileSync('.dev.vars', `${separator}PLATFORM_SECRETS_KEY=${generatedSecretsKey}\n`, { mode: 0o600 });
	console.log("Generated PLATFORM_SECRETS_KEY into .dev.vars: it encrypts the Workers' secrets, keep it.");
}
console.log(`workers-platform is ready on http://${host}:${port} (user Workers under /user-workers/<name>/; Ctrl-C stops it)`);

let stopping = false;
async function stop() {
	if (stopping) return;
	stopping = true;
	await Promise.allSettled([server.stop(), runner?.stop()]);
	process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
