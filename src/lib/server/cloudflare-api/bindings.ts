// Where an upload's `plain_text` (vars) and `secret_text` (secrets) bindings, and the …/secrets
// endpoints, meet the platform. Both live here and nowhere else in the API layer, so that giving Workers
// vars and secrets (the workers service's settings) is wired in this one file.
import { InputError } from '../errors';
import type { Principal } from '../principal';
import type { WorkerService } from '../workers/service';
import { CloudflareApiError, CODES } from './envelope';
import type { ScriptBindings } from './multipart';

export interface BindingsTarget {
	workers: WorkerService;
	caller: Principal;
	/** The Worker the bindings belong to. */
	name: string;
}

/**
 * Applies `bindings` to the Worker `target.name` together with `deploy` (its code upload; absent for a
 * settings change), so that a refusal changes nothing.
 *
 * The platform does not store vars and secrets yet, so non-empty ones are refused here with a 400 before
 * `deploy` runs; `keep_bindings` keeps nothing, there being nothing stored to keep.
 * LEAD: wire to `workers.settings.update` here: run `deploy`, then set `bindings.vars`, `bindings.secrets`
 * (keeping the stored ones whose type is in `bindings.keepBindings`) on the same Worker with
 * `target.caller`; tests/e2e/cloudflare-api.test.ts marks the wrangler assertion to flip then.
 */
export async function applyBindings<T>(target: BindingsTarget, bindings: ScriptBindings, deploy?: () => Promise<T>): Promise<T | undefined> {
	const named = [
		...Object.keys(bindings.vars).map((name) => `${name} (plain_text)`),
		...Object.keys(bindings.secrets).map((name) => `${name} (secret_text)`)
	];
	if (named.length > 0)
		throw new InputError(
			'bindings',
			`plain_text and secret_text bindings (vars and secrets) are not supported yet: ${named.join(', ')}; remove them (wrangler: "vars" in wrangler.jsonc)`
		);
	return deploy?.();
}

/** The answer of every …/secrets endpoint until the platform stores secrets. LEAD: wire secrets here. */
export function secretsEndpoint(target: BindingsTarget): never {
	throw new CloudflareApiError(
		501,
		CODES.notImplemented,
		`secrets are not supported yet: Worker "${target.name}" has none, and none can be set through this API`
	);
}
