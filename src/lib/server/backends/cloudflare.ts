// The cloudflare backend: scripts live in a Workers for Platforms dispatch namespace. Uploads, reads
// and deletes go through the official `cloudflare` SDK (imported lazily, so it never loads on the
// dispatch path); requests run through the dispatch namespace binding.
import type { PlatformConfig } from '../config';
import type { ScriptRef, WorkerBackend } from '../backend';
import { InputError, ScriptMissingError } from '../errors';

type Cloudflare = import('cloudflare').Cloudflare;

const MAIN_MODULE = 'worker.js';

export function createCloudflareBackend(env: Env, config: PlatformConfig): WorkerBackend {
	const settings = config.cloudflare!;
	const dispatcher = env.DISPATCHER;
	if (!dispatcher) throw new Error('the cloudflare backend needs the DISPATCHER (dispatch_namespaces) binding');
	const scope = { account_id: settings.accountId, dispatch_namespace: settings.namespace };

	let client: Promise<Cloudflare> | undefined;
	const api = () =>
		(client ??= import('cloudflare').then(
			({ Cloudflare }) => new Cloudflare({ apiToken: settings.apiToken, baseURL: settings.apiBaseUrl, maxRetries: 1 })
		));

	return {
		async deploy(script, code) {
			const { toFile } = await import('cloudflare');
			try {
				await (await api()).workersForPlatforms.dispatch.namespaces.scripts.update(script.scriptId, {
					...scope,
					metadata: { main_module: MAIN_MODULE, compatibility_date: script.compatibilityDate },
					files: [await toFile(new Blob([code], { type: 'application/javascript+module' }), MAIN_MODULE)]
				});
			} catch (error) {
				throw apiError(error, script);
			}
		},

		async source(script) {
			try {
				const response = await (await api()).workersForPlatforms.dispatch.namespaces.scripts.content.get(script.scriptId, scope);
				return await moduleSource(response);
			} catch (error) {
				throw apiError(error, script);
			}
		},

		async remove(script) {
			try {
				await (await api()).workersForPlatforms.dispatch.namespaces.scripts.delete(script.scriptId, { ...scope, force: true });
			} catch (error) {
				if (!isNotFound(error)) throw apiError(error, script);
			}
		},

		async fetch(script, request) {
			let worker: Fetcher;
			try {
				worker = dispatcher.get(script.scriptId, {}, { limits: config.limits });
			} catch (error) {
				if (String((error as Error)?.message).includes('Worker not found')) throw new ScriptMissingError(script.scriptId);
				throw error;
			}
			try {
				return await worker.fetch(request);
			} catch (error) {
				if (String((error as Error)?.message).includes('Worker not found')) throw new ScriptMissingError(script.scriptId);
				throw error;
			}
		},

		async serveInternal() {
			return undefined;
		}
	};
}

/** The script content endpoint answers multipart form data; the main module is our one part. */
async function moduleSource(response: Response): Promise<string> {
	const type = response.headers.get('content-type') ?? '';
	if (!type.startsWith('multipart/form-data')) return response.text();
	const form = await response.formData();
	const part = form.get(MAIN_MODULE) ?? [...form.values()][0];
	return typeof part === 'string' ? part : await (part as Blob).text();
}

interface ApiErrorShape {
	status?: number;
	errors?: { code: number; message: string }[];
	message?: string;
}

function isNotFound(error: unknown): boolean {
	return (error as ApiErrorShape)?.status === 404;
}

/** API validation errors are the uploader's to fix (BAD_REQUEST); a missing script is ScriptMissing. */
function apiError(error: unknown, script: ScriptRef): Error {
	const { status, errors } = error as ApiErrorShape;
	if (status === 404) return new ScriptMissingError(script.scriptId);
	const message = errors?.map((e) => `${e.message} (code ${e.code})`).join('; ');
	if (status === 400 && message) return new InputError('code', `Cloudflare rejected the script: ${message}`);
	return error instanceof Error ? error : new Error(String(error));
}
