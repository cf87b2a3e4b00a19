// A stand-in for the dispatch namespace binding (`env.DISPATCHER`) that runs the scripts the fake
// Cloudflare API holds through this workerd's real Worker Loader, so the dispatch path is real end to
// end. Like the real binding, `get()` never fails; the returned Fetcher's `fetch` throws
// "Worker not found." for a script the namespace lacks.
// Local workerd enforces no CPU or subrequest limits, so the stand-in records the limits it is given
// and, for a script marked with `exceedLimit`, throws the error the runtime throws when one is exceeded.
import { env } from 'cloudflare:workers';
import { loadUserWorker, type UserWorkerLimits } from '$lib/server/user-worker-loader';

const RUNTIME_LIMIT_ERRORS = {
	cpu: 'Worker exceeded CPU time limit.',
	subrequests: 'Too many subrequests.'
} as const;

export interface StandInDispatcher extends DispatchNamespace {
	/** Every `get` call's script name and options, oldest first. */
	readonly calls: { name: string; options?: DynamicDispatchOptions }[];
	exceedLimit(scriptName: string, limit: keyof typeof RUNTIME_LIMIT_ERRORS): void;
}

export function createStandInDispatcher(apiUrl: string): StandInDispatcher {
	const calls: StandInDispatcher['calls'] = [];
	const exceeding = new Map<string, keyof typeof RUNTIME_LIMIT_ERRORS>();
	return {
		calls,
		exceedLimit: (scriptName, limit) => void exceeding.set(scriptName, limit),
		get(name, _args, options) {
			calls.push({ name, options });
			const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
				const stored = await globalThis.fetch(`${apiUrl}/__fake/scripts/${encodeURIComponent(name)}`);
				if (stored.status === 404) throw new Error('Worker not found.');
				const script: { mainModule: string; compatibilityDate: string; modules: Record<string, string>; etag: string } =
					await stored.json();
				const limit = exceeding.get(name);
				if (limit) throw new Error(RUNTIME_LIMIT_ERRORS[limit]);
				const worker = loadUserWorker(
					env.LOADER!,
					{ scriptId: name, sha256: script.etag, compatibilityDate: script.compatibilityDate },
					async () => script.modules[script.mainModule],
					options?.limits as UserWorkerLimits
				);
				return worker.fetch(new Request(input, init));
			};
			return { fetch } as Fetcher;
		}
	};
}
