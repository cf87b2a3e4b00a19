// The cloudflare backend: scripts live in a Workers for Platforms dispatch namespace. Uploads, secrets
// and deletes go through the official `cloudflare` SDK (imported lazily, so it never loads on the
// dispatch path); requests run through the dispatch namespace binding. Each Worker has one serving script
// (its script id): a deploy or a rollback uploads the stored code of that version to it, with the vars as
// plain_text bindings, keeping the secret_text bindings set through the secrets endpoint. A previewed
// version that is not serving runs as a script of its own, `<scriptId>--v<N>`, uploaded on its first
// preview request and deleted when the version is pruned or the Worker deleted. The platform's version
// store (KV), not the API, holds every version's code.
import type { PlatformConfig } from '../config';
import type { ScriptRef, ScriptSource, WorkerBackend } from '../backend';
import { InputError, LimitExceededError, ScriptMissingError } from '../errors';
import { safeEqual } from '../secrets';
import { LOG_INGEST_PATH, LOG_INGEST_SECRET_HEADER, receiveLogEntries } from '../logs/receive';
import type { LogRecorder } from '../logs/recorder';

type Cloudflare = import('cloudflare').Cloudflare;
type ScriptUpdateParams = Parameters<Cloudflare['workersForPlatforms']['dispatch']['namespaces']['scripts']['update']>[1];

const MAIN_MODULE = 'worker.js';

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

	/** Uploads `code` as `name`; `keepSecrets` keeps the script's secret_text bindings that `bindings` does not name. */
	async function upload(name: string, script: ScriptRef, code: string, bindings: Binding[], keepSecrets: boolean) {
		// The API reads a JSON `metadata` part and the module from the part `main_module` names. SDK 7
		// would send `metadata[main_module]` fields, a `files[]` part and `Content-Type:
		// application/javascript` (cloudflare-typescript#2799), so the parts are given as files under
		// the names the API expects (extra body keys pass through) and the content type is left to
		// fetch, which adds the multipart boundary.
		const metadata = {
			main_module: MAIN_MODULE,
			compatibility_date: script.compatibilityDate,
			bindings,
			...(keepSecrets && { keep_bindings: ['secret_text'] }),
			// The owner, so that deleting a customer can delete its scripts by tag.
			tags: script.customerId ? [customerTag(script.customerId)] : [],
			...logCollection(settings.logTail)
		};
		const body = {
			...scope,
			metadata: new File([JSON.stringify(metadata)], 'metadata.json', { type: 'application/json' }),
			[MAIN_MODULE]: new File([code], MAIN_MODULE, { type: 'application/javascript+module' })
		};
		try {
			await (await scripts()).update(name, body as unknown as ScriptUpdateParams, { headers: { 'content-type': null } });
		} catch (error) {
			throw apiError(error, script.scriptId);
		}
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
		const code = await source.code(script.scriptId, script.version);
		if (code === null) throw new ScriptMissingError(script.scriptId);
		const { vars, secrets } = await source.settings(script.scriptId);
		const bindings = [...asBindings('plain_text', vars), ...asBindings('secret_text', secrets)];
		await upload(previewScriptName(script.scriptId, script.version), script, code, bindings, false);
	}

	const run = (name: string, script: ScriptRef, request: Request, signal: AbortSignal) =>
		dispatcher.get(name, {}, { limits: script.limits ?? config.limits }).fetch(request, { signal });

	return {
		async deploy(script, code, vars) {
			// keep_bindings: a code deploy never drops the secrets set through the secrets endpoint.
			await upload(script.scriptId, script, code, asBindings('plain_text', vars), true);
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
