// The handoff between SvelteKit's bundle and the platform Worker's entry (src/worker.ts). The entry
// answers /user-workers/* without SvelteKit's per-request work, but it must use the very dispatcher
// SvelteKit loaded: a second bundled copy would have its own platform and registry cache, so an
// upload through the API would not reach the entry's cache at once. hooks.server.ts publishes it here
// when SvelteKit loads it; until then the entry lets SvelteKit (and its hooks) answer.
import type { interceptPlatformRequest } from './dispatch';

type Intercept = typeof interceptPlatformRequest;
const KEY = Symbol.for('workers-platform.intercept');
const slot = globalThis as typeof globalThis & { [KEY]?: Intercept };

export function publishIntercept(intercept: Intercept): void {
	slot[KEY] = intercept;
}

export function publishedIntercept(): Intercept | undefined {
	return slot[KEY];
}
