// The Cloudflare API's JSON envelope, `{ success, errors: [{ code, message }], messages, result, result_info? }`,
// and the one place where the platform's errors become Cloudflare statuses and error codes.
import { asPlatformError, type PlatformErrorKind } from '../errors';

/** Where the Cloudflare-compatible API is served (src/routes/client/v4/[...path]/+server.ts). */
export const CLOUDFLARE_API_PREFIX = '/client/v4';

export interface ApiMessage {
	code: number;
	message: string;
}

export interface ResultInfo {
	page: number;
	per_page: number;
	count: number;
	total_count: number;
}

/**
 * Error codes. Where Cloudflare documents one for the case (or its clients test for it), it is Cloudflare's;
 * the others follow Cloudflare's own "10000 + HTTP status" pattern (10405 is its "method not allowed").
 */
export const CODES = {
	/** Missing credentials (Cloudflare: "Missing X-Auth-Key, X-Auth-Email or Authorization headers"). */
	missingCredentials: 9106,
	/** A credential or account the API does not accept (Cloudflare: "Authentication error"). */
	authentication: 10000,
	/** No such route (Cloudflare: "Could not route to …, perhaps your object identifier is invalid?"). */
	noRoute: 7003,
	methodNotAllowed: 10405,
	/** The upload or its metadata is refused (Cloudflare's validation error for scripts). */
	validation: 10021,
	/** No such script in the dispatch namespace (wrangler takes 10092 as "not deployed yet"). */
	scriptNotFound: 10092,
	/** No such script on the account (account-level scripts: this platform has none). */
	accountScriptNotFound: 10007,
	/** No such dispatch namespace (Cloudflare's wording; its code for this case is not documented). */
	namespaceNotFound: 100119,
	tooLarge: 10413,
	conflict: 10409,
	quota: 10403,
	notImplemented: 10501,
	/** Too many requests (Cloudflare: "Please wait and consider throttling your request speed"). */
	slowDown: 971,
	internal: 10013
} as const;

/** A refusal in the API's terms: the HTTP status and the envelope's errors. */
export class CloudflareApiError extends Error {
	readonly errors: ApiMessage[];
	constructor(
		readonly status: number,
		code: number,
		message: string
	) {
		super(message);
		this.name = 'CloudflareApiError';
		this.errors = [{ code, message }];
	}
}

/** Each kind of PlatformError as the API answers it, so every surface refuses with the same message. */
const PLATFORM_ERRORS: Record<PlatformErrorKind, { status: number; code: number }> = {
	input: { status: 400, code: CODES.validation },
	'not-found': { status: 404, code: CODES.scriptNotFound },
	conflict: { status: 409, code: CODES.conflict },
	forbidden: { status: 403, code: CODES.authentication },
	quota: { status: 403, code: CODES.quota }
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function success(result: unknown, options: { status?: number; resultInfo?: ResultInfo } = {}): Response {
	const body = { success: true, errors: [], messages: [], result, ...(options.resultInfo && { result_info: options.resultInfo }) };
	return new Response(JSON.stringify(body), { status: options.status ?? 200, headers: JSON_HEADERS });
}

export function failure(status: number, errors: ApiMessage[]): Response {
	return new Response(JSON.stringify({ success: false, errors, messages: [], result: null }), { status, headers: JSON_HEADERS });
}

/** Any error thrown while answering, in the envelope: the API's own, the platform's by kind, else a 500. */
export function errorResponse(error: unknown): Response {
	if (error instanceof CloudflareApiError) return failure(error.status, error.errors);
	const platformError = asPlatformError(error);
	if (platformError) {
		const { status, code } = PLATFORM_ERRORS[platformError.kind];
		return failure(status, [{ code, message: platformError.message }]);
	}
	console.error('cloudflare-api:', error);
	return failure(500, [{ code: CODES.internal, message: 'internal error: the platform could not complete this request (see its log)' }]);
}
