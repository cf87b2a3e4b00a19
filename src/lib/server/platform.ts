// The composition root: builds every service of the platform from the Worker's environment, once per
// isolate, and wires them together. src/worker.ts builds it and hands it to SvelteKit
// (`Platform.sveltekitEnv`); everything else receives what it needs from here as an argument or a field.
import type { WorkerBackend } from './backend';
import { createCloudflareBackend } from './backends/cloudflare';
import { createLocalBackend } from './backends/local';
import { Authenticator } from './auth';
import { readConfig, type PlatformConfig } from './config';
import { createCustomerService, type CustomerService } from './customers/service';
import { CustomerStore } from './customers/store';
import { cloudflareHostnames, localHostnames } from './hostnames/provider';
import {
	createHostnameService,
	HOSTNAME_CACHE_MAX_ENTRIES,
	HOSTNAME_CACHE_TTL_MS,
	type HostnameService
} from './hostnames/service';
import { BoundedTtlCache } from './ttl-cache';
import { RecordCache, WorkerRegistry } from './registry';
import { AuthFailureThrottle, THROTTLE_DEFAULTS } from './throttle';
import { Deployments } from './versions/deployments';
import { SettingsStore } from './versions/settings';
import { VersionStore } from './versions/store';
import { createWorkerService, type WorkerService } from './workers/service';
import { LogStore, logSettings } from './logs/store';
import { createLogService, type LogService } from './logs/service';
import { AssetStore, MANIFEST_CACHE_MAX_ENTRIES, MANIFEST_CACHE_TTL_MS } from './assets/store';
import { createAssetService, type AssetService } from './assets/service';
import { AssetRetention } from './assets/retention';
import type { AssetManifest } from './assets/manifest';
import { LiveTailHub } from './logs/live';
import { LogRecorder } from './logs/recorder';
import { InProcessExports } from './in-process-exports';
import { LOG_BUFFER_MAX_ENTRIES, LogBuffer, logRateSetting } from './logs/buffer';

export interface Platform {
	readonly config: PlatformConfig;
	readonly registry: WorkerRegistry;
	readonly backend: WorkerBackend;
	readonly workers: WorkerService;
	readonly customers: CustomerService;
	readonly hostnames: HostnameService;
	/** Works out who is calling from a request's credentials. */
	readonly auth: Authenticator;
	/** Each Worker's immutable versions and deployment history. */
	readonly versions: VersionStore;
	/** Wrong tokens per client address (sign-in form and API). */
	readonly authFailures: AuthFailureThrottle;
	/** Each Worker's recent log entries and per-minute request metrics (src/lib/server/logs/). */
	readonly logs: LogService;
	/** Static assets: the blobs and manifests the dispatcher serves (src/lib/server/assets/store.ts). */
	readonly assets: AssetStore;
	/** Static assets' upload sessions, for the API (src/lib/server/assets/service.ts). */
	readonly assetUploads: AssetService;
	/** Where user Workers' log entries are recorded (and the dispatcher's timeouts). */
	readonly logRecorder: LogRecorder;
	/** The Tail Workers of user Workers run in this process (WFP_ISOLATION=off); src/worker.ts feeds it ctx.exports. */
	readonly inProcessExports: InProcessExports;
	/** Their entries waiting for the next batch (at most LOG_BUFFER_MAX_ENTRIES; src/lib/server/logs/buffer.ts). */
	readonly inProcessLogs: LogBuffer;
	/** The env src/worker.ts passes to SvelteKit: the bindings with this platform alongside. */
	readonly sveltekitEnv: SvelteKitEnv;
}

/** The env SvelteKit receives from src/worker.ts: the bindings plus the platform built from them. */
export type SvelteKitEnv = Env & { readonly platform?: Platform };

export function buildPlatform(env: Env, overrides: { backend?: WorkerBackend } = {}): Platform {
	const config = readConfig(env);
	const registry = new WorkerRegistry(env.WORKER_MAPPINGS, new RecordCache());
	const settings = new SettingsStore(env.WORKER_MAPPINGS, config.secretsKey);
	const assets = new AssetStore(
		env.WORKER_MAPPINGS,
		new BoundedTtlCache<AssetManifest | null>(MANIFEST_CACHE_MAX_ENTRIES, MANIFEST_CACHE_TTL_MS)
	);
	const versions = new VersionStore(env.DB, env.WORKER_MAPPINGS, {
		retiredCodeGraceMs: config.retiredCodeGraceMs,
		assetRetention: new AssetRetention(env.DB, assets)
	});
	const source = {
		worker: versions.runnable.bind(versions),
		settings: settings.runtime.bind(settings),
		assetManifest: assets.manifest.bind(assets),
		assetBlob: assets.readBlob.bind(assets)
	};
	const logs = new LogStore(env.DB, logSettings(env as unknown as Record<string, unknown>));
	// The open live tails of this isolate, woken as the log receiver stores their Workers' entries.
	const liveTails = new LiveTailHub();
	const logRecorder = new LogRecorder(logs, liveTails);
	// WFP_ISOLATION=off: the app's own LogTail entrypoint, once src/worker.ts has passed on ctx.exports.
	const inProcessExports = new InProcessExports();
	const inProcessLogs = new LogBuffer(LOG_BUFFER_MAX_ENTRIES, logRateSetting((env as unknown as Record<string, unknown>).LOGS_MAX_PER_SECOND));
	const backend =
		overrides.backend ??
		(config.backend === 'cloudflare'
			? createCloudflareBackend(env, config, source, logRecorder)
			: createLocalBackend(env, config, source, logRecorder, { exports: inProcessExports, logs: inProcessLogs }));
	const deployments = new Deployments({ registry, backend, store: versions, settings, retention: config.versionRetention });
	const store = new CustomerStore(env.DB);
	const hostnames = createHostnameService({
		config,
		db: env.DB,
		kv: env.WORKER_MAPPINGS,
		registry,
		provider: config.backend === 'cloudflare' ? cloudflareHostnames(config) : localHostnames,
		cache: new BoundedTtlCache<string | null>(HOSTNAME_CACHE_MAX_ENTRIES, HOSTNAME_CACHE_TTL_MS)
	});
	const assetUploads = createAssetService({ config, registry, customers: store, versions, assets });
	const workers = createWorkerService({ config, registry, versions, settings, deployments, store, hostnames, assets: assetUploads });
	const platform = {
		config,
		registry,
		backend,
		workers,
		versions,
		assets,
		assetUploads,
		customers: createCustomerService({ config, store, workers }),
		hostnames,
		logs: createLogService({ registry, store: logs, live: liveTails }),
		logRecorder,
		inProcessExports,
		inProcessLogs,
		auth: new Authenticator(config, store),
		authFailures: new AuthFailureThrottle({ ...THROTTLE_DEFAULTS, maxFailures: config.authMaxFailuresPerMinute })
	} as Platform;
	return Object.assign(platform, { sveltekitEnv: { ...env, platform } });
}

/**
 * The app's one piece of module-level state: the platform of each environment object. workerd hands a
 * Worker the same `env` object on every request of an isolate, so this holds one entry per isolate (two
 * under `vite dev` at most), and an entry goes when its env is collected.
 */
const platformsByEnv = new WeakMap<Env, Platform>();

export function platformFor(env: Env): Platform {
	let platform = platformsByEnv.get(env);
	if (!platform) platformsByEnv.set(env, (platform = buildPlatform(env)));
	return platform;
}

/**
 * The platform for a SvelteKit request. src/worker.ts is bundled apart from SvelteKit's server code, so
 * each has its own copy of this module: the entry hands its platform on inside `env`
 * (`Platform.sveltekitEnv`), so the isolate has one platform and one registry cache. Under `vite dev`
 * there is no entry and SvelteKit's copy builds it.
 */
export function platformOf(env: SvelteKitEnv): Platform {
	return env.platform ?? platformFor(env);
}

