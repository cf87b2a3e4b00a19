// Per-Worker settings: plain-text variables and secrets, which the Worker reads on `env`. Stored in KV under
// `settings:<scriptId>`; secrets only as AES-GCM ciphertext under a key derived from PLATFORM_SECRETS_KEY
// (a platform secret, never in KV), bound to the Worker and the name so a ciphertext cannot be moved.
// Secret values leave this module only through `runtime()`, for the runtime; everything else sees names.
import { sha256Hex } from '../hashing';
import { InputError } from '../errors';

export const SETTING_NAME_MAX_CHARS = 64;
export const SETTING_VALUE_MAX_BYTES = 5 * 1024;
export const SETTINGS_MAX_ENTRIES = 64;
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The KV key of a Worker's settings. */
export const settingsKey = (scriptId: string) => `settings:${scriptId}`;

interface StoredSettings {
	vars: Record<string, string>;
	/** Name -> base64 of IV (12 bytes) followed by the AES-GCM ciphertext. */
	secrets: Record<string, string>;
}

/** What any caller may see of a Worker's settings: the vars, and the secrets' names only. */
export interface SettingsView {
	vars: Record<string, string>;
	secrets: string[];
}

export interface SettingsChange {
	/** null removes the variable. */
	vars?: Record<string, string | null>;
	/** null removes the secret. */
	secrets?: Record<string, string | null>;
}

const EMPTY: StoredSettings = { vars: {}, secrets: {} };

export class SettingsStore {
	readonly #kv: KVNamespace;
	readonly #secretsKey: string | null;
	#key: Promise<CryptoKey> | undefined;

	/** `secretsKey`: PLATFORM_SECRETS_KEY; without it, secrets cannot be set. */
	constructor(kv: KVNamespace, secretsKey: string | null) {
		this.#kv = kv;
		this.#secretsKey = secretsKey;
	}

	async #read(scriptId: string): Promise<StoredSettings> {
		return (await this.#kv.get<StoredSettings>(settingsKey(scriptId), 'json')) ?? EMPTY;
	}

	async view(scriptId: string): Promise<SettingsView> {
		const stored = await this.#read(scriptId);
		return { vars: stored.vars, secrets: Object.keys(stored.secrets).sort() };
	}

	/** Throws the InputError `update` would for `change`, changing nothing (to check before a code upload). */
	check(change: SettingsChange): void {
		for (const [name, value] of Object.entries(change.vars ?? {})) assertSetting('vars', name, value);
		for (const [name, value] of Object.entries(change.secrets ?? {})) assertSetting('secrets', name, value);
		if (Object.values(change.secrets ?? {}).some((value) => value !== null) && !this.#secretsKey)
			throw new InputError('secrets', 'this platform has no PLATFORM_SECRETS_KEY, so it cannot store secrets (README, "Configuration")');
	}

	/**
	 * Applies `change` and returns the new settings' fingerprint: a record carrying it loads the Worker
	 * with these settings on its next request. Throws InputError naming the first problem, changing nothing.
	 */
	async update(scriptId: string, change: SettingsChange): Promise<{ view: SettingsView; fingerprint: string }> {
		const stored = await this.#read(scriptId);
		const vars = { ...stored.vars };
		const secrets = { ...stored.secrets };
		for (const [name, value] of Object.entries(change.vars ?? {})) {
			assertSetting('vars', name, value);
			if (value === null) delete vars[name];
			else vars[name] = value;
		}
		for (const [name, value] of Object.entries(change.secrets ?? {})) {
			assertSetting('secrets', name, value);
			if (value === null) delete secrets[name];
			else secrets[name] = await this.#encrypt(scriptId, name, value);
		}
		const both = Object.keys(vars).filter((name) => name in secrets);
		if (both.length) throw new InputError('vars', `${both.join(', ')} cannot be both a variable and a secret; unset one first`);
		const count = Object.keys(vars).length + Object.keys(secrets).length;
		if (count > SETTINGS_MAX_ENTRIES)
			throw new InputError('vars', `a Worker may have at most ${SETTINGS_MAX_ENTRIES} variables and secrets together; this would make ${count}`);
		const next: StoredSettings = { vars, secrets };
		const json = JSON.stringify(next);
		await this.#kv.put(settingsKey(scriptId), json);
		return { view: { vars, secrets: Object.keys(secrets).sort() }, fingerprint: await fingerprintOf(json) };
	}

	/** The Worker's vars and decrypted secrets, for the runtime only (its `env`). */
	async runtime(scriptId: string): Promise<{ vars: Record<string, string>; secrets: Record<string, string> }> {
		const stored = await this.#read(scriptId);
		const secrets: Record<string, string> = {};
		for (const [name, sealed] of Object.entries(stored.secrets)) secrets[name] = await this.#decrypt(scriptId, name, sealed);
		return { vars: stored.vars, secrets };
	}

	#cryptoKey(): Promise<CryptoKey> {
		if (!this.#secretsKey)
			throw new InputError('secrets', 'this platform has no PLATFORM_SECRETS_KEY, so it cannot store secrets (README, "Configuration")');
		this.#key ??= deriveKey(this.#secretsKey);
		return this.#key;
	}

	async #encrypt(scriptId: string, name: string, value: string): Promise<string> {
		const iv = crypto.getRandomValues(new Uint8Array(12));
		const sealed = await crypto.subtle.encrypt(
			{ name: 'AES-GCM', iv, additionalData: associatedData(scriptId, name) },
			await this.#cryptoKey(),
			new TextEncoder().encode(value)
		);
		const bytes = new Uint8Array(12 + sealed.byteLength);
		bytes.set(iv);
		bytes.set(new Uint8Array(sealed), 12);
		return btoa(String.fromCharCode(...bytes));
	}

	async #decrypt(scriptId: string, name: string, sealed: string): Promise<string> {
		const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
		const plain = await crypto.subtle.decrypt(
			{ name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: associatedData(scriptId, name) },
			await this.#cryptoKey(),
			bytes.slice(12)
		);
		return new TextDecoder().decode(plain);
	}
}

/** The fingerprint of settings that have never been changed. */
export const NO_SETTINGS = 'none';

function assertSetting(field: 'vars' | 'secrets', name: string, value: string | null) {
	const what = field === 'vars' ? 'variable' : 'secret';
	if (!NAME_PATTERN.test(name) || name.length > SETTING_NAME_MAX_CHARS)
		throw new InputError(
			field,
			`${what} name ${JSON.stringify(name.slice(0, 80))} must be letters, digits and _ (not starting with a digit), at most ${SETTING_NAME_MAX_CHARS} characters, like API_KEY`
		);
	if (value !== null && typeof value !== 'string') throw new InputError(field, `${what} ${name} must be a string (or null to remove it)`);
	if (value !== null && new TextEncoder().encode(value).length > SETTING_VALUE_MAX_BYTES)
		throw new InputError(field, `${what} ${name} is longer than ${SETTING_VALUE_MAX_BYTES / 1024} KiB`);
}

const associatedData = (scriptId: string, name: string) => new TextEncoder().encode(`${scriptId}\n${name}`);

async function deriveKey(secret: string): Promise<CryptoKey> {
	const encoder = new TextEncoder();
	const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
	return crypto.subtle.deriveKey(
		{ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: encoder.encode('workers-platform worker secrets v1') },
		material,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt']
	);
}

async function fingerprintOf(json: string): Promise<string> {
	return (await sha256Hex(json)).slice(0, 16);
}
