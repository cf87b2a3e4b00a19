// Applies the D1 schema (migrations/) to a local state folder with wrangler, as
// `npx wrangler d1 migrations apply DB --local --persist-to <dir>` does: npm start, npm run dev and the
// end-to-end tests call this before the platform starts, so a fresh state folder has every table.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));

/** @param {string} stateDir the folder that holds `v3/` (Miniflare's persistence root) */
export async function applyMigrations(stateDir) {
	try {
		await promisify(execFile)(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir], {
			cwd: ROOT,
			env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' }
		});
	} catch (error) {
		const { stdout = '', stderr = '' } = /** @type {{ stdout?: string, stderr?: string }} */ (error);
		throw new Error(`applying the D1 migrations (migrations/) failed:\n${stdout}${stderr}`);
	}
}
