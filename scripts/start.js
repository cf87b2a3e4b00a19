// `npm start`: serves the built app in workerd (scripts/platform-server.js; KV persisted in
// .wrangler/state, where `wrangler dev` keeps it) and runs user Workers in separate, supervised runner
// processes (scripts/runner.js).
//
// Environment: PORT (default 8787; 0 picks a free port), HOST (default localhost), WFP_STATE_DIR (default
// .wrangler/state), WFP_RUNNERS (runner processes; default the number of cores, at least 2),
// WFP_MAX_LOADED_WORKERS (user Worker isolates the runners keep loaded, all together; default 200),
// WFP_ISOLATION=off (run user Workers in the app's own process), and any platform setting
// from the README's configuration table (e.g. PLATFORM_ADMIN_TOKEN); `.dev.vars` is read as well, as wrangler
// reads it. Once it serves, it prints one line with the URL it listens on (scripts/launch-app.js reads it).
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { startPlatformServer } from './platform-server.js';
import { reservePort } from './ports.js';
import { maxLoadedWorkers, runnerCount, startRunners } from './runner.js';
import { PLATFORM_SETTINGS } from './settings.js';

const requestedPort = Number(process.env.PORT || 8787);
const host = process.env.HOST || 'localhost';
const isolation = process.env.WFP_ISOLATION !== 'off';
const stateDir = process.env.WFP_STATE_DIR || '.wrangler/state';
let runnerProcesses = 0;
let loadedWorkers = 0;
try {
	runnerProcesses = runnerCount();
	loadedWorkers = maxLoadedWorkers();
} catch (error) {
	console.error(/** @type {Error} */ (error).message);
	process.exit(1);
}
/** With PORT=0, how many ports to try when another process takes the chosen one before the app binds it. */
const FREE_PORT_ATTEMPTS = 5;

/** @type {Record<string, string>} */
const vars = existsSync('.dev.vars') ? /** @type {Record<string, string>} */ (parseEnv(readFileSync('.dev.vars', 'utf8'))) : {};
for (const name of PLATFORM_SETTINGS) if (process.env[name]) vars[name] = /** @type {string} */ (process.env[name]);
// Workers' secrets are stored encrypted under PLATFORM_SECRETS_KEY: the first run that starts generates one
// into .dev.vars, where later runs find it (without it, the secrets stored so far cannot be read).
const generatedSecretsKey = vars.PLATFORM_SECRETS_KEY ? null : randomBytes(32).toString('hex');
if (generatedSecretsKey) vars.PLATFORM_SECRETS_KEY = generatedSecretsKey;

function portInUse() {
	console.error(`Port ${requestedPort} on ${host} is in use: stop what runs there, or start on another port (PORT=9000 npm start).`);
	process.exit(1);
}

/**
 * Starts the runners (when isolating) and then the app on `port`, the runners first so the app knows where
 * they listen. Null when another process bound `port` in the moment between its release and the app's bind.
 * @param {{ port: number, release: () => Promise<void> }} reservation
 */
async function startOn(reservation) {
	const { port } = reservation;
	let runners;
	const appVars = {
		// Absolute URLs (the API's Worker URLs) name the address served here unless PLATFORM_ORIGIN names another,
		// never a request's Host.
		PLATFORM_ORIGIN: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
		// Every Worker also answers on its own origin, <name>.localhost:<port> (browsers and curl send *.localhost
		// to loopback).
		PLATFORM_HOST: `localhost:${port}`,
		...vars
	};
	if (isolation) {
		const secret = randomBytes(32).toString('hex');
		runners = await startRunners({ count: runnerProcesses, maxLoadedWorkers: loadedWorkers, codeUrl: `http://127.0.0.1:${port}`, secret });
		Object.assign(appVars, { RUNNER_URL: runners.urls.join(','), RUNNER_SECRET: secret });
	}
	await reservation.release();
	try {
		const server = await startPlatformServer({ port, host, stateDir, vars: appVars, runners: runners?.urls });
		return { server, runners };
	} catch (error) {
		await runners?.stop();
		if (/** @type {{ code?: string }} */ (error)?.code === 'ERR_ADDRESS_IN_USE') return null;
		throw error;
	}
}

let started = null;
for (let attempt = 1; !started; attempt++) {
	const reservation = await reservePort(requestedPort);
	if (!reservation) portInUse();
	started = await startOn(/** @type {NonNullable<typeof reservation>} */ (reservation));
	if (!started && (requestedPort !== 0 || attempt === FREE_PORT_ATTEMPTS)) portInUse();
}
const { server, runners } = started;
const url = new URL(server.url);
if (generatedSecretsKey) {
	const separator = existsSync('.dev.vars') && !readFileSync('.dev.vars', 'utf8').endsWith('\n') ? '\n' : '';
	appendFileSync('.dev.vars', `${separator}PLATFORM_SECRETS_KEY=${generatedSecretsKey}\n`, { mode: 0o600 });
	console.log("Generated PLATFORM_SECRETS_KEY into .dev.vars: it encrypts the Workers' secrets, keep it.");
}
console.log(
	`workers-platform is ready on http://${host}:${url.port} (user Workers at http://<name>.localhost:${url.port}/ and under /user-workers/<name>/; Ctrl-C stops it)`
);

let stopping = false;
async function stop() {
	if (stopping) return;
	stopping = true;
	await Promise.allSettled([server.stop(), runners?.stop()]);
	process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
