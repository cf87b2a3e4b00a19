// Starts the built app exactly as `npm start` does (scripts/start.js, after `npm run build`), on a free
// port with its own state folder, for end-to-end tests, the CLI tests and the browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningApp {
	url: string;
	/** Everything the app printed so far. */
	output: () => string;
	stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** `stateDir`: keep state there (and leave it) instead of in a fresh temporary folder. */
export async function startApp(env: Record<string, string> = {}, options: { stateDir?: string } = {}): Promise<RunningApp> {
	const port = await freePort();
	const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'wfp-state-'));
	const child: ChildProcess = spawn(process.execPath, ['scripts/start.js'], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			WFP_STATE_DIR: stateDir,
			WRANGLER_SEND_METRICS: 'false',
			// Given, so that npm start does not generate one into the repository's .dev.vars.
			PLATFORM_SECRETS_KEY: 'e2e-secrets-key-0123456789abcdef',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true
	});
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const url = `http://127.0.0.1:${port}`;

	const stop = async () => {
		if (child.exitCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			process.kill(-child.pid!, 'SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
			if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
		}
		if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
	};

	const deadline = Date.now() + 90_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output}`);
		try {
			const response = await fetch(url + '/api/trpc/workers.list', { signal: AbortSignal.timeout(2000) });
			if (response.status < 500) return { url, output: () => output, stop };
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	await stop();
	throw new Error(`the app did not start within 90 s:\n${output}`);
}
