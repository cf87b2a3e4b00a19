// A stand-in for the dispatch namespace binding (`env.DISPATCHER`) that runs the scripts the fake
// Cloudflare API holds through this workerd's real Worker Loader, so the dispatch path is real end to
// end. For a script the namespace lacks, the real binding throws "Worker not found." from `get()` or
// from the Fetcher's `fetch`; the stand-in, which looks scripts up over HTTP, throws it from `fetch`.
// Limits: local workerd enforces none, so the stand-in enforces `subRequests` itself, inside the user
// Worker's isolate, throwing the runtime's error from the Worker's own `fetch()` calls. CPU time cannot
// be measured here: for a script marked with `exceedCpuLimit` it throws the runtime's CPU limit error.
import { env } from 'cloudflare:workers';

const TOO_MANY_SUBREQUESTS = 'Too many subrequests.';
const CPU_LIMIT_EXCEEDED = 'Worker exceeded CPU time limit.';

interface FakeApiScript {
	mainModule: string;
	compatibilityDate: string;
	modules: Record<string, string>;
	moduleTypes: Record<string, string>;
	bindings: { name: string; text: string }[];
	etag: string;
}

export interface StandInDispatcher extends DispatchNamespace {
	/** Every `get` call's script name and options, oldest first. */
	readonly calls: { name: string; options?: DynamicDispatchOptions }[];
	exceedCpuLimit(scriptName: string): void;
}

/** The main module the stand-in runs: the script's own main module, its `fetch()` calls counted per request. */
const subrequestLimiter = (mainModule: string, limit: number) => `
import worker from ${JSON.stringify('./' + mainModule)};
const runtimeFetch = globalThis.fetch;
let subrequests = 0;
globalThis.fetch = async (...args) => {
	if (++subrequests > ${limit}) throw new Error(${JSON.stringify(TOO_MANY_SUBREQUESTS)});
	return runtimeFetch(...args);
};
export default {
	fetch(request, env, ctx) {
		subrequests = 0;
		return worker.fetch(request, env, ctx);
	}
};`;

/** The script's modules as the Worker Loader takes them, each by the kind its part's content type gave it. */
function loaderModules(script: FakeApiScript): WorkerLoaderWorkerCode['modules'] {
	const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
	const byType: Record<string, (source: string) => WorkerLoaderModule> = {
		'application/javascript+module': (js) => ({ js }),
		'application/javascript': (cjs) => ({ cjs }),
		'text/javascript': (cjs) => ({ cjs }),
		'text/plain': (text) => ({ text }),
		'application/octet-stream': (source) => ({ data: bytes(source).buffer }),
		'application/wasm': (source) => ({ wasm: bytes(source) })
	};
	return Object.fromEntries(Object.entries(script.modules).map(([name, source]) => [name, byType[script.moduleTypes[name]](source)]));
}

export function createStandInDispatcher(apiUrl: string): StandInDispatcher {
	const calls: StandInDispatcher['calls'] = [];
	const overCpu = new Set<string>();
	return {
		calls,
		exceedCpuLimit: (scriptName) => void overCpu.add(scriptName),
		get(name, _args, options) {
			calls.push({ name, options });
			const subrequestLimit = options?.limits?.subRequests ?? Infinity;
			const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
				const stored = await globalThis.fetch(`${apiUrl}/__fake/scripts/${encodeURIComponent(name)}`);
				if (stored.status === 404) throw new Error('Worker not found.');
				const script: FakeApiScript = await stored.json();
				if (overCpu.has(name)) throw new Error(CPU_LIMIT_EXCEEDED);
				// A new upload or secret (etag) or other limits get a fresh isolate, as on Cloudflare.
				const worker = env.LOADER!.get(`${name}:${script.etag}:${subrequestLimit}`, () => ({
					compatibilityDate: script.compatibilityDate,
					mainModule: '__dispatch__.js',
					modules: { ...loaderModules(script), '__dispatch__.js': subrequestLimiter(script.mainModule, subrequestLimit) },
					env: Object.fromEntries(script.bindings.map((binding) => [binding.name, binding.text]))
				}));
				return worker.getEntrypoint().fetch(new Request(input, init));
			};
			return { fetch } as Fetcher;
		}
	};
}
