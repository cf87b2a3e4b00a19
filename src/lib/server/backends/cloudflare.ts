// The cloudflare backend: scripts live in a Workers for Platforms dispatch namespace. Uploads, secrets
// and deletes go through the official `cloudflare` SDK (imported lazily, so it never loads on the
// dispatch path); requests run through the dispatch namespace binding. Each Worker has one serving script
// (its script id): a deploy or a rollback uploads the stored modules of that version to it (one part per
// module), with the vars as
// plain_text bindings, keeping the secret_text bindings set through the secrets endpoint. A previewed
// version that is not serving runs as a script of its own, `<scriptId>--v<N>`, uploaded on its first
// preview request and deleted when the version is pruned or the Worker deleted. The platform's version
// store (KV), not the API, holds every version's modules. A version with static assets uploads them first
// through the namespace's assets upload session (uploadAssets below), and the script's metadata names the
// completed set with an ASSETS binding.
import { sha256Hex } from '../hashing';
import type { PlatformConfig } from '../config';
import type { ScriptRef, ScriptSource, WorkerBackend } from '../backend';
import { InputError, LimitExceededError, ScriptMissingError } from '../errors';
import { CLOUDFLARE_PART_TYPES, fromBase64, toBase64, type RunnableWorker } from '../modules/kinds';
import { safeEqual } from '../secrets';
import { LOG_INGEST_PATH, LOG_INGEST_SECRET_HEADER, receiveLogEntries } from '../logs/receive';
import type { LogRecorder } from '../logs/recorder';

type Cloudflare = import('cloudflare').Cloudflare;
type ScriptUpdateParams = Parameters<Cloudflare['workersForPlatforms']['dispatch']['namespaces']['scripts']['update']>[1];

/** The namespace script that serves `version` of `scriptId` through its preview URL (never the serving one). */
export const previewScriptName = (scriptId: string, version: number) => `${scriptId}--v${version}`;

type Binding = { type: 'plain_text' | 'secret_text'; name: string; text: string };

export function createCloudflareBackend(env: Env, config: PlatformConfig, source: ScriptSource, logs?: LogRecorder): WorkerBackend {
	const settings = config.cloudflare!;
	const dispatcher = env.DISPATCHER;
	if (!dispatcher) throw new Error('PLATFORM_BACKEND=cloudflare needs the DISPATCHER (dispatch_namespaces) binding');
	const scope = { account_id: settings.accountId, dispatch_namespace: settings.namespace };

	let client: Promise<Cloudflare> | undefined;
	const cloudflare = () =>
		(client ??= import('cloudflare').then(
			({ Cloudflare }) => new Cloudflare({ apiToken: settings.apiToken, baseURL: settings.apiBaseUrl, maxRetries: 1 })
		));
	const scripts = async () => (await cloudflare()).workersForPlatforms.dispatch.namespaces.scripts;
	const scriptsPath = `/accounts/${settings.accountId}/workers/dispatch/namespaces/${settings.namespace}/scripts`;
	const apiBase = settings.apiBaseUrl ?? 'https://api.cloudflare.com/client/v4';

	/** Uploads `worker` as `name`; `keepSecrets` keeps the script's secret_text bindings that `bindings` does not name. */
	async function upload(name: string, script: ScriptRef, worker: RunnableWorker, bindings: Binding[], keepSecrets: boolean) {
		// The API reads a JSON `metadata` part and a part per module, `main_module` naming the main one. SDK 7
		// would send `metadata[main_module]` fields, a `files[]` part and `Content-Type:
		// application/javascript` (cloudflare-typescript#2799), so the parts are given as files under
		// the names the API expects (extra body keys pass through) and the content type is left to
		// fetch, which adds the multipart boundary.
		const assets = script.assets ? await uploadAssets(name, script) : null;
		const metadata = {
			main_module: worker.mainModule,
			compatibility_date: script.compatibilityDate,
			bindings: assets ? [...bindings, { type: 'assets', name: ASSETS_BINDING }] : bindings,
			...(assets && { assets }),
			...(keepSecrets && { keep_bindings: ['secret_text'] }),
			// The owner, so that deleting a customer can delete its scripts by tag.
			tags: script.customerId ? [customerTag(script.customerId)] : [],
			...logCollection(settings.logTail)
		};
		const body = {
			...scope,
			metadata: new File([JSON.stringify(metadata)], 'metadata.json', { type: 'application/json' }),
			...Object.fromEntries(Object.entries(worker.modules).map(([moduleName, module]) => [moduleName, modulePart(moduleName, module)]))
		};
		try {
			await (await scripts()).update(name, body as unknown as ScriptUpdateParams, { headers: { 'content-type': null } });
		} catch (error) {
			throw apiError(error, script.scriptId);
		}
	}

	/**
	 * Cloudflare's Direct Uploads of static assets for the namespace script `name`: the manifest opens a
	 * session (its hashes are Cloudflare's, see cloudflareAssetHash), the files Cloudflare lacks go up in the
	 * buckets it asks for (base64, multipart, one part per hash with the file's Content-Type, authorised by the
	 * session's JWT), and the completion JWT goes into the script's metadata with the serving config.
	 */
	async function uploadAssets(name: string, script: ScriptRef) {
		const manifest = await source.assetManifest?.(script.scriptId, script.version);
		if (!manifest || !source.assetBlob) throw new ScriptMissingError(script.scriptId);
		const files = await Promise.all(
			Object.entries(manifest.files).map(async ([path, file]) => ({ path, ...file, cloudflareHash: await cloudflareAssetHash(file.hash, file.contentType) }))
		);
		let session: { jwt?: string; buckets?: string[][] };
		try {
			session = await (await scripts()).assetUpload.create(name, {
				...scope,
				manifest: Object.fromEntries(files.map(({ path, cloudflareHash, size }) => [path, { hash: cloudflareHash, size }]))
			});
		} catch (error) {
			throw apiError(error, script.scriptId);
		}
		let jwt = session.jwt;
		const byHash = new Map(files.map((file) => [file.cloudflareHash, file]));
		for (const bucket of session.buckets ?? []) {
			const form = new FormData();
			for (const hash of bucket) {
				const file = byHash.get(hash)!;
				const body = await source.assetBlob(manifest.owner, file.hash);
				if (body === null) throw new Error(`asset ${file.path} of ${script.scriptId} version ${script.version} is missing from the asset store`);
				form.append(hash, new File([toBase64(new Uint8Array(await new Response(body).arrayBuffer()))], hash, { type: file.contentType }));
			}
			const response = await fetch(`${apiBase}/accounts/${settings.accountId}/workers/assets/upload?base64=true`, {
				method: 'POST',
				headers: { authorization: `Bearer ${session.jwt}` },
				body: form
			});
			const answer = (await response.json().catch(() => ({}))) as { result?: { jwt?: string | null }; errors?: ApiErrorShape['errors'] };
			if (!response.ok) throw apiError({ status: response.status, errors: answer.errors }, script.scriptId);
			// 202 for a bucket while others remain; 201 with the completion JWT for the last.
			if (answer.result?.jwt) jwt = answer.result.jwt;
		}
		if (!jwt) throw new Error('the Cloudflare API completed the assets upload without a completion token');
		return { jwt, config: { html_handling: 'auto-trailing-slash' } };
	}

	async function removeScript(name: string, scriptId: string) {
		try {
			// force: delete even if other scripts are bound to it (user Workers get no bindings anyway).
			await (await scripts()).delete(name, { ...scope, force: true });
		} catch (error) {
			if (!isScriptNotFound(error)) throw apiError(error, scriptId);
		}
	}

	/** Uploads a version as its preview script, with the Worker's current vars and secrets. */
	async function uploadPreview(script: ScriptRef) {
		const worker = await source.worker(script.scriptId, script.version);
		if (worker === null) throw new ScriptMissingError(script.scriptId);
		const { vars, secrets } = await source.settings(script.scriptId);
		const bindings = [...asBindings('plain_text', vars), ...asBindings('secret_text', secrets)];
		await upload(previewScriptName(script.scriptId, script.version), script, worker, bindings, false);
	}

	const run = (name: string, script: ScriptRef, request: Request, signal: AbortSignal) =>
		dispatcher.get(name, {}, { limits: script.limits ?? config.limits }).fetch(request, { signal });

	return {
		async deploy(script, worker, vars) {
			// keep_bindings: a code deploy never drops the secrets set through the secrets endpoint.
			await upload(script.scriptId, script, worker, asBindings('plain_text', vars), true);
		},

		async updateSecrets(script, secrets) {
			const api = await scripts();
			for (const [name, text] of Object.entries(secrets)) {
				try {
					if (text === null) await api.secrets.delete(name, { ...scope, script_name: script.scriptId });
					else await api.secrets.update(script.scriptId, { ...scope, name, text, type: 'secret_text' });
				} catch (error) {
					// Deleting a secret the script does not have is what the caller wanted.
					if (!(text === null && (error as ApiErrorShape).status === 404 && !isScriptNotFound(error))) throw apiError(error, script.scriptId);
				}
			}
		},

		async remove(scriptId, versions) {
			await removeScript(scriptId, scriptId);
			await this.removePreviews(scriptId, versions);
		},

		async removePreviews(scriptId, versions) {
			for (const version of versions) await removeScript(previewScriptName(scriptId, version), scriptId);
		},

		async removeOwnedBy(customerId) {
			// DELETE …/scripts?tags=customer:<id>:yes deletes every script with that tag (SDK 7 has no method).
			const tags = `${customerTag(customerId)}:yes`;
			try {
				await (await cloudflare()).delete(scriptsPath, { query: { tags } });
			} catch (error) {
				throw apiError(error, `scripts tagged ${tags}`);
			}
		},

		async fetch(script, request, signal) {
			// The binding throws "Worker not found" (on get or on fetch) for a script the namespace lacks,
			// and the runtime's limit errors when the Worker exceeds the limits passed here. A preview's
			// script is uploaded on its first request (its body is not read until the script exists).
			const name = script.preview ? previewScriptName(script.scriptId, script.version) : script.scriptId;
			try {
				return await run(name, script, request, signal);
			} catch (error) {
				const failure = dispatchError(error, script);
				if (!(script.preview && failure instanceof ScriptMissingError)) throw failure;
			}
			await uploadPreview(script);
			try {
				return await run(name, script, request, signal);
			} catch (error) {
				throw dispatchError(error, script);
			}
		},

		async serveInternal(request, url) {
			if (url.pathname !== LOG_INGEST_PATH) return undefined;
			const secret = request.headers.get(LOG_INGEST_SECRET_HEADER);
			if (!settings.logTail || !secret || !safeEqual(secret, settings.logTail.secret)) return new Response('forbidden', { status: 403 });
			return receiveLogEntries(request, logs);
		}
	};
}

/**
 * The upload metadata that collects a script's logs: the platform's Tail Worker as its `tail_consumers`,
 * so each invocation's console lines, exceptions and outcome reach it (and from it, LOG_INGEST_PATH).
 */
export function logCollection(logTail: { worker: string } | null): { tail_consumers?: { service: string }[] } {
	return logTail ? { tail_consumers: [{ service: logTail.worker }] } : {};
}

const customerTag = (customerId: string) => `customer:${customerId}`;

/** The binding through which a user Worker with static assets reads them (as on the local backend). */
const ASSETS_BINDING = 'ASSETS';

/**
 * An asset's hash as Cloudflare's manifest takes it: 32 hex digits. It covers the content type as well as
 * the bytes (wrangler's covers the extension), since Cloudflare stores one Content-Type per hash.
 */
export async function cloudflareAssetHash(sha256: string, contentType: string): Promise<string> {
	return (await sha256Hex(`${sha256}:${contentType}`)).slice(0, 32);
}

/**
 * A module's part with the content type that gives its kind (CLOUDFLARE_PART_TYPES). The API has no JSON
 * module type: a JSON module goes as an ES module whose default export is its value, as importing it gives.
 */
function modulePart(name: string, { kind, source }: RunnableWorker['modules'][string]): File {
	if (kind === 'json') return new File([`export default ${source.trim()};\n`], name, { type: CLOUDFLARE_PART_TYPES.esm });
	const content = kind === 'wasm' || kind === 'data' ? fromBase64(source) : source;
	return new File([content], name, { type: CLOUDFLARE_PART_TYPES[kind] });
}

const asBindings = (type: Binding['type'], values: Record<string, string>): Binding[] =>
	Object.entries(values).map(([name, text]) => ({ type, name, text }));

interface ApiErrorShape {
	status?: number;
	errors?: { code: number; message: string }[];
}

/** "This Worker does not exist": 10007 on account scripts, 10092 on a dispatch namespace's. */
const SCRIPT_NOT_FOUND = [10007, 10092];

function isScriptNotFound(error: unknown): boolean {
	const { status, errors } = error as ApiErrorShape;
	return status === 404 && (errors ?? []).some((e) => SCRIPT_NOT_FOUND.includes(e.code));
}

/**
 * API validation errors (400) are the uploader's to fix: BAD_REQUEST with the API's message. A refused
 * token or account is the operator's: an error naming the settings to check.
 */
function apiError(error: unknown, scriptId: string): Error {
	const { status, errors } = error as ApiErrorShape;
	if (isScriptNotFound(error)) return new ScriptMissingError(scriptId);
	const detail = errors?.length ? errors.map((e) => `${e.message} (code ${e.code})`).join('; ') : undefined;
	if (status === 400 && detail) return new InputError('code', `Cloudflare rejected the script: ${detail}`);
	if (status === 401 || status === 403) {
		const check = 'check CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID';
		return new Error(`the Cloudflare API refused the platform's credentials (${check}): ${detail ?? status}`, { cause: error });
	}
	if (status && detail) return new Error(`Cloudflare API error ${status}: ${detail}`, { cause: error });
	return error instanceof Error ? error : new Error(String(error));
}

function dispatchError(error: unknown, script: ScriptRef): unknown {
	const message = error instanceof Error ? error.message : String(error);
	if (message.startsWith('Worker not found')) return new ScriptMissingError(script.scriptId);
	if (/exceeded cpu|cpu time limit|cpu limit/i.test(message)) return new LimitExceededError('cpu', message);
	if (/too many subrequests|subrequest limit/i.test(message)) return new LimitExceededError('subrequests', message);
	return error;
}
