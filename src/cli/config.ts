// Where `wfp` finds the platform and a token: flags (--url, --token), then the environment (WFP_URL,
// WFP_TOKEN), then the file `wfp login` writes ($XDG_CONFIG_HOME/wfp/config.json, default
// ~/.config/wfp/config.json), then the default URL. The stored token is sent only to the URL it was stored
// for, so `--url` pointing elsewhere never receives it.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { usageError } from './errors.ts';

export const DEFAULT_URL = 'http://localhost:8787';

/** What `wfp login` stores: one platform and a token for it. */
export interface StoredLogin {
	url?: string;
	token?: string;
}

/** Where the token in use came from, so messages can say what to fix. */
export type TokenSource = '--token' | 'WFP_TOKEN' | 'config';

export interface Credentials {
	/** The platform's base URL, without a trailing slash. */
	url: string;
	token: string | undefined;
	tokenSource: TokenSource | null;
}

/** $XDG_CONFIG_HOME/wfp/config.json; a relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
export function configPath(): string {
	const xdg = process.env.XDG_CONFIG_HOME;
	return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'wfp', 'config.json');
}

/** The stored login; nothing when the file does not exist. */
export function readStoredLogin(): StoredLogin {
	const path = configPath();
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
		throw usageError(`cannot read ${path}: ${(error as Error).message}`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw usageError(`${path} is not valid JSON: fix it, or delete it and run wfp login again`);
	}
	const { url, token } = (parsed ?? {}) as Record<string, unknown>;
	return { url: typeof url === 'string' ? url : undefined, token: typeof token === 'string' ? token : undefined };
}

/**
 * Replaces the stored login. The folder is made private (0700) and the file is written whole to a
 * temporary name with mode 0600, then renamed over the old one: no moment exists where another user could
 * read the token, or where a crash leaves half a file.
 */
export function writeStoredLogin(login: StoredLogin): void {
	const path = configPath();
	const folder = dirname(path);
	const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
	try {
		mkdirSync(folder, { recursive: true, mode: 0o700 });
		chmodSync(folder, 0o700);
		writeFileSync(temporary, JSON.stringify(login, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
		renameSync(temporary, path);
	} catch (error) {
		rmSync(temporary, { force: true });
		throw usageError(`cannot write ${path}: ${(error as Error).message}`);
	}
}

/** An http(s) URL without a trailing slash; `from` names where it came from for the error. */
export function platformUrl(value: string, from: string): string {
	const url = URL.canParse(value) ? new URL(value) : null;
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
		throw usageError(`${from} must be an http:// or https:// URL, got ${JSON.stringify(value)}`);
	return (url.origin + url.pathname).replace(/\/+$/, '');
}

/** The URL and token to use: flags, else the environment, else the stored login (its URL only), else the default. */
export function resolveCredentials(flags: { url?: string; token?: string }): Credentials {
	const stored = readStoredLogin();
	const envUrl = process.env.WFP_URL || undefined;
	const url =
		flags.url !== undefined
			? platformUrl(flags.url, '--url')
			: envUrl !== undefined
				? platformUrl(envUrl, 'WFP_URL')
				: stored.url !== undefined
					? platformUrl(stored.url, `the url in ${configPath()}`)
					: DEFAULT_URL;
	if (flags.token !== undefined) return { url, token: flags.token, tokenSource: '--token' };
	const envToken = process.env.WFP_TOKEN || undefined;
	if (envToken !== undefined) return { url, token: envToken, tokenSource: 'WFP_TOKEN' };
	if (stored.token && stored.url !== undefined && platformUrl(stored.url, configPath()) === url)
		return { url, token: stored.token, tokenSource: 'config' };
	return { url, token: undefined, tokenSource: null };
}
