// How much one request to the control-plane API may ask of the platform. tRPC batches many calls into one
// request; without bounds one small anonymous request can make the server read and serialise hundreds of
// Workers. A request over a limit is refused, in tRPC's JSON error shape, before any procedure runs.
import { TRPCError, getTRPCErrorShape, type AnyRouter } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { PlatformConfig } from './config';
import { formatBytes } from '$lib/format';

export interface ApiLimits {
	/** Calls in one batch (`?batch=1`, comma-separated paths). */
	maxBatchCalls: number;
	/** A POST body: the JSON of one upload of the largest script, escaped, plus the envelope. */
	maxBodyBytes: number;
	/** A GET's `input` parameter: queries take a name or a cursor. */
	maxQueryInputBytes: number;
	/**
	 * The answers to one batch. One call is bounded by itself (a version's sources by about twice
	 * MAX_SCRIPT_BYTES: `workers.get` carries its modules and, as `code`, the main module's source again; a
	 * list page by its 1000 records of fixed-size fields, about 0.5 MB); several together by this budget.
	 */
	maxBatchResponseBytes: number;
}

export const MAX_BATCH_CALLS = 10;
export const MAX_QUERY_INPUT_BYTES = 8 * 1024;

export function apiLimits(config: PlatformConfig): ApiLimits {
	return {
		maxBatchCalls: MAX_BATCH_CALLS,
		// JSON escaping at most doubles a script's quotes, backslashes and line breaks.
		maxBodyBytes: 2 * config.maxScriptBytes + 64 * 1024,
		maxQueryInputBytes: MAX_QUERY_INPUT_BYTES,
		// Room for a few of the largest Workers' sources (two each, see above) in one batch.
		maxBatchResponseBytes: 8 * config.maxScriptBytes
	};
}

/** The bytes of `body`, or null as soon as there are more than `maxBytes` (the rest is not read). */
export async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let length = 0;
	for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
		length += chunk.value.byteLength;
		if (length > maxBytes) {
			await reader.cancel();
			return null;
		}
		chunks.push(chunk.value);
	}
	const bytes = new Uint8Array(length);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return bytes;
}

/** How many calls a request to `endpoint` batches: one, or the comma-separated paths of `?batch=1`. */
function callCount(url: URL, endpoint: string): number {
	if (url.searchParams.get('batch') !== '1') return 1;
	const path = url.pathname.slice(endpoint.length + 1);
	let decoded = path;
	try {
		decoded = decodeURIComponent(path);
	} catch {
		// tRPC refuses the malformed path itself.
	}
	return decoded.split(',').length;
}

/** The request with its body read (within the limit), or the error that refuses it. */
async function boundRequest(request: Request, url: URL, endpoint: string, limits: ApiLimits): Promise<Request | TRPCError> {
	const calls = callCount(url, endpoint);
	if (calls > limits.maxBatchCalls)
		return new TRPCError({
			code: 'BAD_REQUEST',
			message: `a batch may hold at most ${limits.maxBatchCalls} calls; this one holds ${calls}: split it into several requests`
		});
	const input = url.searchParams.get('input');
	const inputBytes = input === null ? 0 : new TextEncoder().encode(input).byteLength;
	if (inputBytes > limits.maxQueryInputBytes)
		return new TRPCError({
			code: 'PAYLOAD_TOO_LARGE',
			message: `the input in the URL is ${formatBytes(inputBytes)}; at most ${formatBytes(limits.maxQueryInputBytes)} is accepted`
		});
	if (!request.body) return request;
	const tooLarge = () =>
		new TRPCError({
			code: 'PAYLOAD_TOO_LARGE',
			message: `the request body is larger than the ${formatBytes(limits.maxBodyBytes)} one request may carry (twice MAX_SCRIPT_BYTES and the envelope)`
		});
	if (Number(request.headers.get('content-length') ?? 0) > limits.maxBodyBytes) return tooLarge();
	const body = await readAtMost(request.body, limits.maxBodyBytes);
	if (!body) return tooLarge();
	return new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
}

/** A batch's response within the budget (read into memory), or the error that replaces it. */
async function boundResponse(response: Response, calls: number, limits: ApiLimits): Promise<Response | TRPCError> {
	if (calls === 1 || !response.body) return response;
	const body = await readAtMost(response.body, limits.maxBatchResponseBytes);
	if (!body)
		return new TRPCError({
			code: 'BAD_REQUEST',
			message: `the answers to these ${calls} calls come to more than the ${formatBytes(limits.maxBatchResponseBytes)} one response may carry: ask for fewer at a time`
		});
	return new Response(body, response);
}

/** `error` as tRPC answers an error that concerns the whole request: `{ error: shape }` with its HTTP status. */
export function trpcErrorResponse(router: AnyRouter, error: TRPCError): Response {
	const shape = getTRPCErrorShape({ config: router._def._config, error, type: 'unknown', path: undefined, input: undefined, ctx: undefined });
	return Response.json({ error: shape }, { status: getHTTPStatusCodeFromError(error) });
}

/**
 * Serves an API request with `serve` (tRPC's handler) when it is within `limits`, and answers it with a
 * tRPC error (400 or 413) when it is not: before `serve` runs for the request's size and batch, after it
 * for the size of a batch's answers.
 */
export async function serveWithinApiLimits(
	request: Request,
	endpoint: string,
	limits: ApiLimits,
	router: AnyRouter,
	serve: (request: Request) => Promise<Response>
): Promise<Response> {
	const url = new URL(request.url);
	const bounded = await boundRequest(request, url, endpoint, limits);
	if (bounded instanceof TRPCError) return trpcErrorResponse(router, bounded);
	const response = await boundResponse(await serve(bounded), callCount(url, endpoint), limits);
	return response instanceof TRPCError ? trpcErrorResponse(router, response) : response;
}
