import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';
import { randomBytes } from 'node:crypto';

/**
 * `vite dev` runs the app in Node with bindings from wrangler's platform proxy, which has no Worker
 * Loader. This plugin starts the same supervised runner `npm start` uses and points the app at it.
 */
function userWorkerRunner(): Plugin {
	let stop: (() => Promise<void>) | undefined;
	return {
		name: 'workers-platform:user-worker-runner',
		apply: 'serve',
		configureServer(server) {
			const ready = new Promise<void>((resolve) => {
				server.httpServer?.once('listening', async () => {
					const address = server.httpServer!.address();
					const port = typeof address === 'object' && address ? address.port : 5173;
					const secret = randomBytes(32).toString('hex');
					const { startRunner } = await import('./scripts/runner.js');
					// The dev server's bindings persist where svelte.config.js points wrangler's platform proxy.
					const { applyMigrations } = await import('./scripts/migrations.js');
					await applyMigrations(process.env.WFP_STATE_DIR || '.wrangler/state');
					const runner = await startRunner({ codeUrl: `http://127.0.0.1:${port}`, secret });
					process.env.RUNNER_URL = runner.url;
					process.env.RUNNER_SECRET = secret;
					stop = runner.stop;
					resolve();
				});
			});
			server.middlewares.use(async (_req, _res, next) => {
				await ready;
				next();
			});
			server.httpServer?.once('close', () => stop?.());
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), userWorkerRunner()],
	server: { host: '127.0.0.1' },
	// Rolldown warns when a plugin takes most of the build; here that is always SvelteKit's own
	// writeBundle (its server build), which is expected, not something to act on.
	build: { rolldownOptions: { checks: { bundlerTimings: false } } }
});
