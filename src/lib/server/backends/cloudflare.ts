// The cloudflare backend: scripts live in a Workers for Platforms dispatch namespace. Uploads, reads
// and deletes go through the official `cloudflare` SDK (imported lazily, so it never loads on the
// dispatch path); requests run through the dispatch namespace binding.
import type { PlatformConfig } from '../config';
import type { ScriptRef, WorkerBackend } from '../backend';
import { InputError, LimitExceededError, ScriptMissingError } from '../errors';

type Cloudflare = import('cloudflare').Cloudflare;
type ScriptUpdateParams = Parameters<Cloudflare['workersForPlatforms']['dispatch']['namespaces']['scripts']['update']>[1];

const MAIN_MODULE = 'worker.js';

export function createCloudflareBackend(env: Env, config: PlatformConfig): WorkerBackend {
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

	return {
		async deploy(script, code) {
			// The API reads a JSON `metadata` part and the module from the part `main_module` names. SDK 7
			// would send `metadata[main_module]` fields, a `files[]` part and `Content-Type:
			// application/javascript` (cloudflare-typescript#2799), so the parts are given as files under
			// the names the API expects (extra body keys pass through) and the content type is left to
			// fetch, which adds the multipart boundary.
			const upload = {
				...scope,
				metadata: new File(
					[
						JSON.stringify({
							main_module: MAIN_MODULE,
							compatibility_date: script.compatibilityDate,
							// The owner, so that deleting a customer can delete its scripts by tag.
							tags: script.customerId ? [customerTag(script.customerId)] : []
						})
					],
					'metadata.json',
					{ type: 'application/json' }
				),
				[MAIN_MODULE]: new File([code], MAIN_MODULE, { type: 'application/javascript+module' })
			};
			try {
				await (await scripts()).update(script.scriptId, upload as unknown as ScriptUpdateParams, {
					headers: { 'content-type': null }
				});
			} catch (error) {
				throw apiError(error, script);
			}
		},

		async source(script) {
			try {
				return await mainModuleSource(await (await scripts()).content.get(script.scriptId, scope));
			} catch (error) {
				throw apiError(error, script);
			}
		},

		async remove(script) {
			try {
				// force: delete even if other scripts are bound to it (user Workers get no bindings anyway).
				await (await scripts()).delete(script.scriptId, { ...scope, force: true });
			} catch (error) {
				if (!isScriptNotFound(error)) throw apiError(error, script);
			}
		},

		async removeOwnedBy(customerId) {
			// DELETE …/scripts?tags=customer:<id>:yes deletes every script with that tag (SDK 7 has no method).
			const tags = `${customerTag(customerId)}:yes`;
			try {
				await (await cloudflare()).delete(scriptsPath, { query: { tags } });
			} catch (error) {
				throw apiError(error, { scriptId: `scripts tagged ${tags}`, sha256: '', compatibilityDate: '' });
			}
		},

		async fetch(script, request, signal) {
			// The binding throws "Worker not found" (on get or on fetch) for a script the namespace lacks,
			// and the runtime's limit errors when the Worker exceeds the limits passed here.
			try {
				return await dispatcher.get(script.scriptId, {}, { limits: script.limits ?? config.limits }).fetch(request, { signal });
			} catch (error) {
				throw dispatchError(error, script);
			}
		},

		async serveInternal() {
			return undefined;
		}
	};
}

const customerTag = (customerId: string) => `customer:${customerId}`;

/** The content endpoint answers multipart form data with one part per module, named like the module. */
async function mainModuleSource(response: Response): Promise<string> {
	const type = response.headers.get('content-type') ?? '';
	if (!type.startsWith('multipart/form-data')) return response.text();
	const part = (await response.formData()).get(MAIN_MODULE);
	if (part === null) throw new Error(`the Cloudflare API returned the script without its ${MAIN_MODULE} module`);
	return typeof part === 'string' ? part : part.text();
}

interface ApiErrorShape {
	status?: number;
	errors?: { code: number; message: string }[];
}

// 10007: no such script on the account; 10092: none in the dispatch namespace (what the platform's own API answers).
const SCRIPT_NOT_FOUND = [10007, 10092];

function isScriptNotFound(error: unknown): boolean {
	const { status, errors } = error as ApiErrorShape;
	return status === 404 && (errors ?? []).some((e) => SCRIPT_NOT_FOUND.includes(e.code));
}

/**
 * API validation errors (400) are the uploader's to fix: BAD_REQUEST with the API's message. A refused
 * token or account is the operator's: an error naming the settings to check.
 */
function apiError(error: unknown, script: ScriptRef): Error {
	const { status, errors } = error as ApiErrorShape;
	if (isScriptNotFound(error)) return new ScriptMissingError(script.scriptId);
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
