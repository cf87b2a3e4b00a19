// Part of `npm run build`, after `vite build`: bundles the platform Worker (src/worker.ts in front of
// SvelteKit's output) exactly as `wrangler deploy` would, into the folder `npm start` serves it from.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_BUNDLE_DIR } from './platform-server.js';

const wrangler = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const result = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', WORKER_BUNDLE_DIR, 'src/worker.ts'], {
	encoding: 'utf8',
	env: { ...process.env, WRANGLER_LOG: 'error', WRANGLER_SEND_METRICS: 'false' }
});
if (result.status !== 0) {
	process.stderr.write(result.stdout + result.stderr);
	console.error(`bundling the platform Worker with wrangler failed (exit ${result.status ?? result.signal})`);
	process.exit(1);
}
console.log(`bundled the platform Worker into ${WORKER_BUNDLE_DIR}`);
