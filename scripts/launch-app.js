// Starts the built app exactly as `npm start` does (scripts/start.js, after `npm run build`) on a port the
// app chooses itself, with its own state folder: the launcher of the end-to-end tests and of the bench.
//
// The app is started with PORT=0 and reports the URL it listens on; the launcher reads that line instead of
// choosing a port beforehand, so nothing else (the app's own runners included) can take the port in between.
// Readiness is checked against the platform's API, so an answer from another server never counts as ready.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from './ports.js';

const START_SCRIPT = fileURLToPath(new URL('./start.js', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The line scripts/start.js prints once it serves; its first URL is where. */
export const READY_LINE = /workers-platform is ready on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 90_000;

/**
 * @typedef {{ url: string, pid: number, output: () => string, stop: () => Promise<void> }} RunningApp
 *   `output`: everything the app printed so far; `pid`: the supervisor's, also its process group's id (the
 *   app's and its runners' workerd processes are in that group).
 */

/**
 * Whether `origin` answers as a workers-platform: its `auth.whoami` procedure (which anyone may call) says
 * who the caller is.
 * @param {string} origin
 */
export async function isPlatform(origin) {
	try {
		const response = await fetch(origin + '/api/trpc/auth.whoami', { signal: AbortSignal.timeout(2000) });
		const body = await response.json();
		return response.ok && typeof body?.result?.data?.kind === 'string';
	} catch {
		return false;
	}
}

/**
 * @param {Record<string, string>} [env] settings for the app (README, "Configuration")
 * @param {{ stateDir?: string }} [options] `stateDir`: keep state there (and leave it) instead of in a fresh temporary folder
 * @returns {Promise<RunningApp>}
 */
export async function startApp(env = {}, options = {}) {
	const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'wfp-state-'));
	const child = spawn(process.execPath, [START_SCRIPT], {
		cwd: PROJECT_ROOT,
		env: {
			...process.env,
			PORT: '0',
			HOST: '127.0.0.1',
			WFP_STATE_DIR: stateDir,
			WRANGLER_SEND_METRICS: 'false',
			// Given, so that npm start does not generate one into the repository's .dev.vars.
			PLATFORM_SECRETS_KEY: 'launch-app-secrets-key-0123456789abcdef',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true
	});
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));

	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			process.kill(-(/** @type {number} */ (child.pid)), 'SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
			if (child.exitCode === null && child.signalCode === null) process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
		}
		if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
	};

	const deadline = Date.now() + START_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) {
			await stop();
			throw new Error(`the app exited with ${child.exitCode}:\n${output}`);
		}
		const url = READY_LINE.exec(output)?.[1];
		if (url && (await isPlatform(url))) return { url, pid: /** @type {number} */ (child.pid), output: () => output, stop };
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	await stop();
	throw new Error(`the app did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
}
