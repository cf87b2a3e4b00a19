import { defineConfig } from 'vitest/config';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';

const lib = fileURLToPath(new URL('./src/lib', import.meta.url));
const alias = { $lib: lib };
const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));

export default defineConfig({
	test: {
		projects: [
			{
				// Pure logic in Node: name rules, module checks, CSRF rules, the CLI's helpers.
				resolve: { alias },
				test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' }
			},
			{
				// Inside workerd with real KV and a real Worker Loader: registry, backends, router via createCaller.
				resolve: { alias },
				plugins: [
					cloudflareTest({
						miniflare: {
							compatibilityDate: '2026-08-01',
							kvNamespaces: { WORKER_MAPPINGS: 'worker-mappings' },
							d1Databases: { DB: 'workers-platform-test' },
							bindings: { TEST_MIGRATIONS: migrations },
							workerLoaders: { LOADER: {} }
						}
					})
				],
				test: {
					name: 'workers',
					include: ['tests/workers/**/*.test.ts'],
					// Applies migrations/ to the test D1 database.
					setupFiles: ['tests/workers/apply-migrations.ts'],
					// The fake Cloudflare API (Node) for the cloudflare backend's tests.
					globalSetup: ['tests/workers/cloudflare-api.global-setup.ts']
				}
			},
			{
				// The built app started exactly as `npm start` starts it, driven over HTTP and in Chromium.
				resolve: { alias },
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 120_000,
					// Each file starts its own app; two cores fit one at a time best.
					fileParallelism: false
				}
			}
		]
	}
});
