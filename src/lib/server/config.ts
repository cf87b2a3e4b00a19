// Platform configuration, read once per environment from the Worker's vars and secrets.

export type BackendKind = 'local' | 'cloudflare';

export interface PlatformConfig {
	backend: BackendKind;
	maxScriptBytes: number;
	/** Used when an upload names no compatibility date. */
	defaultCompatibilityDate: string;
	/** How long a user Worker may take to start answering before the dispatcher gives up (504). */
	dispatchTimeoutMs: number;
	/** Per-request limits passed to the runtime for every user Worker invocation. */
	limits: { cpuMs: number; subRequests: number };
	runner: { url: string; secret: string } | null;
	/** PLATFORM_ORIGIN: where the platform is served, for the absolute URLs the API returns (never the Host header). */
	publicOrigin: string | null;
	/** PLATFORM_ADMIN_TOKEN: when set, control-plane mutations need it (src/lib/server/auth.ts). */
	adminToken: string | null;
	cloudflare: { accountId: string; apiToken: string; namespace: string; apiBaseUrl?: string } | null;
	/** VERSION_RETENTION: how many versions each Worker keeps (the serving one always stays). */
	versionRetention: number;
	/** RETIRED_CODE_GRACE_SECONDS: how long removed versions' code stays readable for requests in flight. */
	retiredCodeGraceMs: number;
	/** PLATFORM_SECRETS_KEY: encrypts Workers' secrets at rest; without it, secrets cannot be set. */
	secretsKey: string | null;
}

export const DEFAULTS = {
	maxScriptBytes: 1024 * 1024,
	compatibilityDate: '2026-08-01',
	dispatchTimeoutMs: 10_000,
	cpuMs: 50,
	subRequests: 50,
	versionRetention: 20,
	retiredCodeGraceSeconds: 60
} as const;

function positiveInt(value: string | undefined, fallback: number, name: string, min = 1): number {
	if (value === undefined || value === '') return fallback;
	const parsed = Number(value);
	if (!Number.isInteger(parsed) || parsed < min)
		throw new Error(`${name} must be ${min === 1 ? 'a positive integer' : `an integer of at least ${min}`}, got ${JSON.stringify(value)}`);
	return parsed;
}

/** Vars given to `vite dev` through the process environment (the dev server's runner). */
function devProcessEnv(name: string): string | undefined {
	return typeof process === 'undefined' ? undefined : process.env?.[name];
}

function originOf(value: string): string {
	const url = URL.parse(value);
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
		throw new Error(`PLATFORM_ORIGIN must be an http(s) origin like https://platform.example.com, got ${JSON.stringify(value)}`);
	return url.origin;
}

export function readConfig(env: Env): PlatformConfig {
	const backend = (env.PLATFORM_BACKEND || 'local') as BackendKind;
	if (backend !== 'local' && backend !== 'cloudflare')
		throw new Error(`PLATFORM_BACKEND must be "local" or "cloudflare", got ${JSON.stringify(backend)}`);

	const runnerUrl = env.RUNNER_URL || devProcessEnv('RUNNER_URL');
	const runnerSecret = env.RUNNER_SECRET || devProcessEnv('RUNNER_SECRET');

	let cloudflare: PlatformConfig['cloudflare'] = null;
	if (backend === 'cloudflare') {
		const missing = (['CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_API_TOKEN', 'DISPATCH_NAMESPACE'] as const).filter(
			(key) => !env[key]
		);
		if (missing.length)
			throw new Error(`PLATFORM_BACKEND=cloudflare needs ${missing.join(', ')} (see README, "Deploying")`);
		cloudflare = {
			accountId: env.CLOUDFLARE_ACCOUNT_ID!,
			apiToken: env.CLOUDFLARE_API_TOKEN!,
			namespace: env.DISPATCH_NAMESPACE!,
			apiBaseUrl: env.CLOUDFLARE_API_BASE_URL || undefined
		};
	}

	return {
		backend,
		maxScriptBytes: positiveInt(env.MAX_SCRIPT_BYTES, DEFAULTS.maxScriptBytes, 'MAX_SCRIPT_BYTES'),
		defaultCompatibilityDate: env.DEFAULT_COMPATIBILITY_DATE || DEFAULTS.compatibilityDate,
		dispatchTimeoutMs: positiveInt(env.DISPATCH_TIMEOUT_MS, DEFAULTS.dispatchTimeoutMs, 'DISPATCH_TIMEOUT_MS'),
		limits: {
			cpuMs: positiveInt(env.USER_WORKER_CPU_MS, DEFAULTS.cpuMs, 'USER_WORKER_CPU_MS'),
			subRequests: positiveInt(env.USER_WORKER_SUBREQUESTS, DEFAULTS.subRequests, 'USER_WORKER_SUBREQUESTS')
		},
		runner: runnerUrl && runnerSecret ? { url: runnerUrl.replace(/\/$/, ''), secret: runnerSecret } : null,
		publicOrigin: env.PLATFORM_ORIGIN ? originOf(env.PLATFORM_ORIGIN) : null,
		adminToken: env.PLATFORM_ADMIN_TOKEN || null,
		cloudflare,
		versionRetention: positiveInt(env.VERSION_RETENTION, DEFAULTS.versionRetention, 'VERSION_RETENTION'),
		retiredCodeGraceMs:
			1000 * positiveInt(env.RETIRED_CODE_GRACE_SECONDS, DEFAULTS.retiredCodeGraceSeconds, 'RETIRED_CODE_GRACE_SECONDS', 0),
		secretsKey: env.PLATFORM_SECRETS_KEY || null
	};
}
