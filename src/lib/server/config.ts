// Platform configuration, read once per environment from the Worker's vars and secrets.

export type BackendKind = 'local' | 'cloudflare';

export interface PlatformConfig {
	backend: BackendKind;
	maxScriptBytes: number;
	/** Used when an upload names no compatibility date. */
	defaultCompatibilityDate: string;
	/** How long a user Worker may take to start answering before the dispatcher gives up (504). */
	dispatchTimeoutMs: number;
	/** Per-request limits passed to the runtime for the operator's Workers (customers' come from their plans). */
	limits: { cpuMs: number; subRequests: number };
	/** A new customer's plan unless the operator sets other limits (DEFAULT_MAX_WORKERS and the limits above). */
	defaultPlan: { maxWorkers: number; maxScriptBytes: number; maxAssetBytes: number; cpuMs: number; subRequests: number };
	/** Failed authentications per client address and minute before it gets 429 (AUTH_MAX_FAILURES_PER_MINUTE). */
	authMaxFailuresPerMinute: number;
	/**
	 * TRUSTED_CLIENT_IP_HEADER: the request header that carries the client's address and that no client can
	 * set (`CF-Connecting-IP` on Cloudflare). Unset, clients are not told apart (one throttle for all).
	 */
	trustedClientIpHeader: string | null;
	/** The runner processes' origins (RUNNER_URL, comma-separated) and their shared secret. */
	runner: { urls: string[]; secret: string } | null;
	/** PLATFORM_ORIGIN: where the platform is served, for the absolute URLs the API returns (never the Host header). */
	publicOrigin: string | null;
	/** PLATFORM_ADMIN_TOKEN: when set, control-plane mutations need it (src/lib/server/auth.ts). */
	adminToken: string | null;
	/**
	 * PLATFORM_CREDENTIAL_HEADERS (comma-separated, lowercase): request headers that authenticate callers to
	 * the platform or a gateway in front of it, removed before a request reaches a user Worker
	 * (src/lib/server/user-request.ts).
	 */
	credentialHeaders: string[];
	cloudflare: {
		accountId: string;
		apiToken: string;
		namespace: string;
		apiBaseUrl?: string;
		zoneId: string | null;
		/**
		 * Log collection: the platform's Tail Worker (PLATFORM_TAIL_WORKER, named in each script's upload as
		 * its `tail_consumers`) and the secret it sends the events to the platform with (LOG_INGEST_SECRET).
		 * Null when either is unset: user Workers' logs are then not collected.
		 */
		logTail: { worker: string; secret: string } | null;
	} | null;
	/**
	 * PLATFORM_HOST: the platform's host (`platform.example.com`, `localhost:8787`); each Worker is also
	 * served on its own subdomain of it. Unset: Workers are served under /user-workers/ only.
	 */
	platformHost: string | null;
	/** PLATFORM_HOST without its port: what a request URL's hostname is compared with. */
	platformHostname: string | null;
	/**
	 * The Cloudflare-compatible API (/client/v4, src/lib/server/cloudflare-api/): its one account's id
	 * (PLATFORM_ACCOUNT_ID) and the name of its one dispatch namespace, the Workers /user-workers/* serves
	 * (PLATFORM_NAMESPACE).
	 */
	cloudflareApi: { accountId: string; namespace: string };
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
	maxWorkers: 100,
	maxAssetBytes: 500 * 1024 * 1024,
	authMaxFailuresPerMinute: 10,
	accountId: '10ca1000000000000000000000000000',
	namespace: 'workers-platform',
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

function platformHostOf(value: string): string {
	const host = value.trim().toLowerCase();
	if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/.test(host))
		throw new Error(`PLATFORM_HOST must be a host name with an optional port, like platform.example.com or localhost:8787, got ${JSON.stringify(value)}`);
	return host;
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
			apiBaseUrl: env.CLOUDFLARE_API_BASE_URL || undefined,
			zoneId: env.CLOUDFLARE_ZONE_ID || null,
			logTail: env.PLATFORM_TAIL_WORKER && env.LOG_INGEST_SECRET ? { worker: env.PLATFORM_TAIL_WORKER, secret: env.LOG_INGEST_SECRET } : null
		};
	}

	const maxScriptBytes = positiveInt(env.MAX_SCRIPT_BYTES, DEFAULTS.maxScriptBytes, 'MAX_SCRIPT_BYTES');
	const limits = {
		cpuMs: positiveInt(env.USER_WORKER_CPU_MS, DEFAULTS.cpuMs, 'USER_WORKER_CPU_MS'),
		subRequests: positiveInt(env.USER_WORKER_SUBREQUESTS, DEFAULTS.subRequests, 'USER_WORKER_SUBREQUESTS')
	};
	return {
		backend,
		maxScriptBytes,
		defaultCompatibilityDate: env.DEFAULT_COMPATIBILITY_DATE || DEFAULTS.compatibilityDate,
		dispatchTimeoutMs: positiveInt(env.DISPATCH_TIMEOUT_MS, DEFAULTS.dispatchTimeoutMs, 'DISPATCH_TIMEOUT_MS'),
		limits,
		defaultPlan: {
			maxWorkers: positiveInt(env.DEFAULT_MAX_WORKERS, DEFAULTS.maxWorkers, 'DEFAULT_MAX_WORKERS'),
			maxScriptBytes,
			maxAssetBytes: positiveInt(env.DEFAULT_MAX_ASSET_BYTES, DEFAULTS.maxAssetBytes, 'DEFAULT_MAX_ASSET_BYTES'),
			...limits
		},
		authMaxFailuresPerMinute: positiveInt(
			env.AUTH_MAX_FAILURES_PER_MINUTE,
			DEFAULTS.authMaxFailuresPerMinute,
			'AUTH_MAX_FAILURES_PER_MINUTE'
		),
		trustedClientIpHeader: env.TRUSTED_CLIENT_IP_HEADER?.toLowerCase() || null,
		runner: runnerUrl && runnerSecret ? { urls: runnerUrl.split(',').map((url) => url.trim().replace(/\/$/, '')), secret: runnerSecret } : null,
		publicOrigin: env.PLATFORM_ORIGIN ? originOf(env.PLATFORM_ORIGIN) : null,
		platformHost: env.PLATFORM_HOST ? platformHostOf(env.PLATFORM_HOST) : null,
		platformHostname: env.PLATFORM_HOST ? platformHostOf(env.PLATFORM_HOST).replace(/:\d+$/, '') : null,
		adminToken: env.PLATFORM_ADMIN_TOKEN || null,
		credentialHeaders: (env.PLATFORM_CREDENTIAL_HEADERS ?? '')
			.split(',')
			.map((name) => name.trim().toLowerCase())
			.filter(Boolean),
		cloudflare,
		cloudflareApi: {
			accountId: env.PLATFORM_ACCOUNT_ID || DEFAULTS.accountId,
			namespace: env.PLATFORM_NAMESPACE || DEFAULTS.namespace
		},
		versionRetention: positiveInt(env.VERSION_RETENTION, DEFAULTS.versionRetention, 'VERSION_RETENTION'),
		retiredCodeGraceMs:
			1000 * positiveInt(env.RETIRED_CODE_GRACE_SECONDS, DEFAULTS.retiredCodeGraceSeconds, 'RETIRED_CODE_GRACE_SECONDS', 0),
		secretsKey: env.PLATFORM_SECRETS_KEY || null
	};
}
