// One app per test file, for the e2e tests (vitest only; the launcher itself is scripts/launch-app.js).
import { afterAll, beforeAll } from 'vitest';
import { createPlatformClient, type PlatformClient } from '$lib/trpc';
import { startApp, type RunningApp } from './app';

/** The app a test file runs against, with a typed client: started before the file's tests, stopped after. */
export interface AppUnderTest {
	readonly url: string;
	readonly client: PlatformClient;
	output(): string;
}

export function useApp(env: Record<string, string> = {}): AppUnderTest {
	let app: RunningApp | undefined;
	let client: PlatformClient | undefined;
	beforeAll(async () => {
		app = await startApp(env);
		client = createPlatformClient(app.url);
	});
	afterAll(() => app?.stop());
	return {
		get url() {
			return app!.url;
		},
		get client() {
			return client!;
		},
		output: () => app!.output()
	};
}
