// An EventSource over fetch(), for runtimes without one (Node, where the CLI runs) and for requests that
// need headers (a browser's EventSource sends none: the CLI authenticates with `Authorization`). It follows
// the parts of the server-sent events spec tRPC's httpSubscriptionLink relies on: named events, `id`
// (sent back as Last-Event-ID on reconnect), `retry`, and reconnecting when the stream ends or fails,
// until close().

export interface FetchEventSourceInit {
	headers?: Record<string, string>;
	fetch?: typeof fetch;
}

interface SourceEvent {
	type: string;
	data?: string;
	lastEventId?: string;
}

type Listener = (event: SourceEvent) => void;

/** How long to wait before reconnecting, unless the server's `retry:` says otherwise. */
const DEFAULT_RETRY_MS = 1000;

export class FetchEventSource {
	static readonly CONNECTING = 0;
	static readonly OPEN = 1;
	static readonly CLOSED = 2;
	readonly CONNECTING = 0;
	readonly OPEN = 1;
	readonly CLOSED = 2;
	readyState = 0;
	readonly #listeners = new Map<string, Set<Listener>>();
	readonly #abort = new AbortController();
	#lastEventId = '';
	#retryMs = DEFAULT_RETRY_MS;
	readonly url: string;
	readonly init: FetchEventSourceInit;

	// Plain fields, no parameter properties: the CLI runs this file with Node's type stripping.
	constructor(url: string, init: FetchEventSourceInit = {}) {
		this.url = url;
		this.init = init;
		void this.#run();
	}

	addEventListener(type: string, listener: Listener): void {
		let set = this.#listeners.get(type);
		if (!set) this.#listeners.set(type, (set = new Set()));
		set.add(listener);
	}

	removeEventListener(type: string, listener: Listener): void {
		this.#listeners.get(type)?.delete(listener);
	}

	close(): void {
		this.readyState = this.CLOSED;
		this.#abort.abort();
	}

	#dispatch(event: SourceEvent): void {
		for (const listener of this.#listeners.get(event.type) ?? []) listener(event);
	}

	async #run(): Promise<void> {
		const fetcher = this.init.fetch ?? fetch;
		while (this.readyState !== this.CLOSED) {
			try {
				const headers: Record<string, string> = { accept: 'text/event-stream', ...this.init.headers };
				if (this.#lastEventId) headers['last-event-id'] = this.#lastEventId;
				const response = await fetcher(this.url, { headers, signal: this.#abort.signal });
				if (!response.ok || !response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
					// Like a browser's EventSource: a response that is not a stream ends it for good.
					await response.body?.cancel();
					this.readyState = this.CLOSED;
					this.#dispatch({ type: 'error', data: `HTTP ${response.status}` });
					return;
				}
				this.readyState = this.OPEN;
				this.#dispatch({ type: 'open' });
				await this.#read(response.body);
			} catch {
				// A failed connection or a broken stream: reconnect below unless closed.
			}
			if (this.readyState === this.CLOSED) return;
			this.readyState = this.CONNECTING;
			this.#dispatch({ type: 'error' });
			await new Promise((resolve) => setTimeout(resolve, this.#retryMs));
		}
	}

	async #read(body: ReadableStream<Uint8Array>): Promise<void> {
		const decoder = new TextDecoder();
		let buffer = '';
		let type = '';
		let data: string[] = [];
		for await (const chunk of body) {
			buffer += decoder.decode(chunk, { stream: true });
			let end: number;
			while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
				const line = buffer.slice(0, end);
				buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
				if (line === '') {
					if (data.length > 0 || type) this.#dispatch({ type: type || 'message', data: data.join('\n'), lastEventId: this.#lastEventId });
					type = '';
					data = [];
					continue;
				}
				if (line.startsWith(':')) continue;
				const colon = line.indexOf(':');
				const field = colon === -1 ? line : line.slice(0, colon);
				const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
				if (field === 'event') type = value;
				else if (field === 'data') data.push(value);
				else if (field === 'id') this.#lastEventId = value;
				else if (field === 'retry' && /^\d+$/.test(value)) this.#retryMs = Number(value);
			}
		}
	}
}
