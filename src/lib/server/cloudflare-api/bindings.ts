// Where an upload's `plain_text` (vars) and `secret_text` (secrets) bindings, and the …/secrets
// endpoints, meet the platform: the workers service's settings (vars, and secrets stored encrypted and
// never returned). Both live here and nowhere else in the API layer.
import { asPlatformError, NotFoundError } from '../errors';
import type { Principal } from '../principal';
import type { SettingsChange } from '../versions/settings';
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
 * settings change), as Cloudflare does: the upload's vars and secrets become the Worker's, and those it does
 * not name are removed unless their type is in `keepBindings` (wrangler keeps `secret_text`, so a code
 * deploy never drops secrets). Names and values are checked before `deploy` runs, so a refusal changes nothing.
 */
export async function applyBindings<T>(
	target: BindingsTarget,
	bindings: ScriptBindings,
	/** The code upload; it sets `vars` (the vars that change) as its version starts serving. */
	deploy?: (vars: Record<string, string | null>) => Promise<T>
): Promise<T | undefined> {
	const { workers, caller, name } = target;
	workers.checkSettings({ vars: bindings.vars, secrets: bindings.secrets });
	const current = await settingsOrNone(target);
	const vars: Record<string, string | null> = Object.fromEntries(Object.entries(bindings.vars).filter(([key, value]) => current.vars[key] !== value));
	if (!bindings.keepBindings.includes('plain_text'))
		for (const old of Object.keys(current.vars)) if (!(old in bindings.vars)) vars[old] = null;
	const secrets: Record<string, string | null> = { ...bindings.secrets };
	if (!bindings.keepBindings.includes('secret_text'))
		for (const old of current.secrets) if (!(old in bindings.secrets)) secrets[old] = null;
	const change: SettingsChange = { ...(Object.keys(vars).length > 0 && !deploy && { vars }), ...(Object.keys(secrets).length > 0 && { secrets }) };
	const deployed = await deploy?.(vars);
	if (change.vars || change.secrets) await workers.updateSettings(caller, name, change);
	return deployed;
}

/** The Worker's settings, or none for a name no Worker has yet (its first upload). */
async function settingsOrNone({ workers, caller, name }: BindingsTarget): Promise<{ vars: Record<string, string>; secrets: string[] }> {
	try {
		return await workers.settings(caller, name);
	} catch (error) {
		if (asPlatformError(error)?.kind === 'not-found') return { vars: {}, secrets: [] };
		throw error;
	}
}

/** The bindings a Worker has, as Cloudflare lists them: vars with their text, secrets by name only. */
export async function bindingsOfWorker(target: BindingsTarget) {
	const { vars, secrets } = await target.workers.settings(target.caller, target.name);
	return [
		...Object.entries(vars).map(([name, text]) => ({ type: 'plain_text', name, text })),
		...secrets.map((name) => ({ type: 'secret_text', name }))
	];
}

/**
 * The …/secrets endpoints: list (names only), put `{ name, text, type: "secret_text" }`, get one (never its
 * value) and delete one, on the Worker's settings.
 */
export async function secretsEndpoint(
	target: BindingsTarget,
	method: string,
	secretName: string | undefined,
	body: () => Promise<unknown>
): Promise<{ name: string; type: 'secret_text' }[] | { name: string; type: 'secret_text' } | null> {
	const { workers, caller, name } = target;
	const secrets = (await workers.settings(caller, name)).secrets;
	const entry = (secret: string) => ({ name: secret, type: 'secret_text' as const });
	if (secretName === undefined && method === 'GET') return secrets.map(entry);
	if (secretName === undefined && method === 'PUT') {
		const put = (await body()) as { name?: unknown; text?: unknown; type?: unknown } | null;
		if (!put || typeof put.name !== 'string' || typeof put.text !== 'string')
			throw new CloudflareApiError(400, CODES.validation, 'a secret is JSON { "name": "API_KEY", "text": "…", "type": "secret_text" }');
		if (put.type !== undefined && put.type !== 'secret_text')
			throw new CloudflareApiError(400, CODES.validation, `secret type ${JSON.stringify(put.type)} is not supported here: use "secret_text"`);
		await workers.updateSettings(caller, name, { secrets: { [put.name]: put.text } });
		return entry(put.name);
	}
	if (secretName === undefined || !secrets.includes(secretName)) throw new NotFoundError(`Worker "${name}" has no secret named "${secretName}"`);
	if (method === 'GET') return entry(secretName);
	await workers.updateSettings(caller, name, { secrets: { [secretName]: null } });
	return null;
}
