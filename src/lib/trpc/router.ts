// The control-plane API. The web UI, the `wfp` CLI and any TypeScript program use this one router
// (over HTTP with src/lib/trpc/client.ts, or in-process with createCaller).
import { initTRPC, tracked, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context';
import { REJECTED_TOKEN_MESSAGE, refusalMessage } from '$lib/server/auth';
import { CUSTOMERS_PAGE_MAX } from '$lib/server/customers/service';
import { asPlatformError, inputFieldOf, type PlatformErrorKind } from '$lib/server/errors';
import { LIST_LIMIT_MAX, type StoredWorker } from '$lib/server/registry';
import { VERSIONS_LIMIT_MAX } from '$lib/server/versions/store';
import type { WorkerSource } from '$lib/server/workers/service';
import { workerPath } from '$lib/paths';
import { LOG_LEVELS } from '$lib/server/logs/entries';
import { LOGS_LIMIT_MAX } from '$lib/server/logs/store';
import { REQUEST_RATES_MAX_NAMES } from '$lib/server/logs/service';
import { LIVE_TAIL_MAX_MS } from '$lib/server/logs/live';

const t = initTRPC.context<Context>().create({
	// Stack traces stay in the server log, not in API responses.
	isDev: false,
	// Subscriptions (workers.tail) are server-sent event streams: each ends after LIVE_TAIL_MAX_MS and the
	// client reconnects with the last entry's id (Last-Event-ID), so no stream holds a connection forever.
	// The ping also finds a client that went away without the runtime telling (its write fails).
	sse: {
		maxDurationMs: LIVE_TAIL_MAX_MS,
		ping: { enabled: true, intervalMs: 5_000 },
		client: { reconnectAfterInactivityMs: 45_000 }
	},
	errorFormatter({ shape, error }) {
		const cause = error.cause;
		if (cause instanceof ZodError) {
			const issues = cause.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message }));
			return {
				...shape,
				message: issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '),
				data: { ...shape.data, field: inputFieldOf(cause) }
			};
		}
		return { ...shape, data: { ...shape.data, field: inputFieldOf(cause) } };
	}
});

const TRPC_CODES: Record<PlatformErrorKind, TRPCError['code']> = {
	input: 'BAD_REQUEST',
	'not-found': 'NOT_FOUND',
	conflict: 'CONFLICT',
	forbidden: 'FORBIDDEN',
	quota: 'FORBIDDEN'
};

/** Turns the platform's own errors into tRPC errors with the right code and the same message. */
const platformErrors = t.middleware(async ({ next }) => {
	const result = await next();
	const cause = result.ok ? null : asPlatformError(result.error.cause);
	if (cause) throw new TRPCError({ code: TRPC_CODES[cause.kind], message: cause.message, cause });
	return result;
});

const procedure = t.procedure.use(platformErrors);

/**
 * Every procedure but `auth.whoami` needs a caller: the admin token, a customer token, a session cookie,
 * or open mode. What each caller may see and change is decided by the services (src/lib/server/).
 */
const signedInProcedure = procedure.use(({ ctx, next }) => {
	if (ctx.session.rejectedToken) throw new TRPCError({ code: 'UNAUTHORIZED', message: REJECTED_TOKEN_MESSAGE });
	if (ctx.caller.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', message: refusalMessage(ctx.platform.config) });
	return next();
});

export interface WorkerRecord extends StoredWorker {
	/** Where the Worker is served on the platform's origin (sandboxed). */
	url: string;
	/** Its own origin, `<name>.<PLATFORM_HOST>`, when PLATFORM_HOST is set. */
	hostUrl: string | null;
}

const withUrl = <T extends StoredWorker>(record: T, ctx: Context): T & WorkerRecord => {
	const { platformHost } = ctx.platform.config;
	return {
		...record,
		customerId: record.customerId ?? null,
		url: ctx.origin + workerPath(record.name),
		hostUrl: platformHost ? `${new URL(ctx.origin).protocol}//${record.name}.${platformHost}/` : null
	};
};

/** How many items a page may hold: 1 to `max`. */
const pageLimit = (max: number) =>
	z.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(max, `limit must be at most ${max}`).optional();

const text = (name: string) => z.string({ error: `${name} must be a string` });
const nameInput = z.object({ name: text('name') });
const positive = (name: string) => z.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).min(1, `${name} must be at least 1`);
const planInput = z
	.object({
		maxWorkers: positive('maxWorkers').optional(),
		maxScriptBytes: positive('maxScriptBytes').optional(),
		maxAssetBytes: positive('maxAssetBytes').optional(),
		cpuMs: positive('cpuMs').optional(),
		subRequests: positive('subRequests').optional()
	})
	.optional();
const pageInput = (max: number) => z.object({ cursor: z.string().nullish(), limit: pageLimit(max) });
const versionNumber = positive('version');
const versionInput = nameInput.extend({ version: versionNumber });
/** An upload's static assets: a completed upload session, or the serving version's (`keep`). */
const assetsReference = z.union([z.object({ session: text('assets.session') }), z.object({ keep: z.literal(true) })], {
	error: 'assets must be { session } (an asset upload session) or { keep: true }'
});
/** Settings: name -> value, or null to remove it. */
const settingValues = (what: string) =>
	z.record(z.string(), z.string({ error: `${what} values must be strings (or null to remove one)` }).nullable()).optional();

export const appRouter = t.router({
	auth: t.router({
		/** Who the credentials of this call belong to (anonymous callers included). */
		whoami: procedure.query(({ ctx }) => {
			if (ctx.session.rejectedToken) throw new TRPCError({ code: 'UNAUTHORIZED', message: REJECTED_TOKEN_MESSAGE });
			return { ...ctx.caller, openMode: ctx.session.openMode };
		})
	}),

	workers: t.router({
		upload: signedInProcedure
			.input(
				z.object({
					name: text('name'),
					// Either `code` (one ES module) or `mainModule` and `modules` (src/lib/server/modules/).
					code: text('code').optional(),
					mainModule: text('mainModule').optional(),
					modules: z.record(z.string(), text('each module source'), { error: 'modules must be an object of module name -> source' }).optional(),
					compatibilityDate: z.string().optional(),
					message: text('message').optional(),
					deploy: z.boolean({ error: 'deploy must be true or false' }).optional(),
					assets: assetsReference.optional(),
					// Vars set (null: removed) as the version starts serving.
					vars: settingValues('vars')
				})
			)
			.mutation(async ({ ctx, input }) => withUrl(await ctx.platform.workers.upload(ctx.caller, input), ctx)),

		list: signedInProcedure
			.input(pageInput(LIST_LIMIT_MAX).extend({ customerId: z.string().optional() }).optional())
			.query(async ({ ctx, input }) => {
				const page = await ctx.platform.workers.list(ctx.caller, {
					cursor: input?.cursor ?? undefined,
					limit: input?.limit,
					customerId: input?.customerId
				});
				return { workers: page.workers.map((record) => withUrl(record, ctx)), cursor: page.cursor };
			}),

		get: signedInProcedure
			.input(nameInput.extend({ version: versionNumber.optional() }))
			.query(
				async ({ ctx, input }) =>
					withUrl(await ctx.platform.workers.get(ctx.caller, input.name, input.version), ctx) as WorkerRecord & WorkerSource
			),

		delete: signedInProcedure.input(nameInput).mutation(async ({ ctx, input }) => {
			await ctx.platform.workers.delete(ctx.caller, input.name);
			return { name: input.name, deleted: true as const };
		}),

		versions: signedInProcedure
			.input(
				nameInput.extend({
					cursor: z.string().nullish(),
					limit: pageLimit(VERSIONS_LIMIT_MAX)
				})
			)
			.query(({ ctx, input }) =>
				ctx.platform.workers.versions(ctx.caller, input.name, { cursor: input.cursor ?? undefined, limit: input.limit })
			),

		rollback: signedInProcedure
			.input(versionInput)
			.mutation(async ({ ctx, input }) => withUrl(await ctx.platform.workers.rollback(ctx.caller, input.name, input.version), ctx)),

		deploy: signedInProcedure
			.input(versionInput)
			.mutation(async ({ ctx, input }) => withUrl(await ctx.platform.workers.deploy(ctx.caller, input.name, input.version), ctx)),

		settings: t.router({
			get: signedInProcedure.input(nameInput).query(({ ctx, input }) => ctx.platform.workers.settings(ctx.caller, input.name)),
			update: signedInProcedure
				.input(nameInput.extend({ vars: settingValues('vars'), secrets: settingValues('secrets') }))
				.mutation(({ ctx, input }) =>
					ctx.platform.workers.updateSettings(ctx.caller, input.name, { vars: input.vars, secrets: input.secrets })
				)
		}),

		/** The Worker's recent log entries, newest first; `since` (an entry id, the answer's `cursor`) asks for newer ones. */
		logs: signedInProcedure
			.input(
				nameInput.extend({
					since: z.number({ error: 'since must be a number' }).int('since must be a whole number').min(0, 'since must be at least 0').optional(),
					limit: pageLimit(LOGS_LIMIT_MAX),
					level: z.enum(LOG_LEVELS, { error: `level must be one of ${LOG_LEVELS.join(', ')}` }).optional()
				})
			)
			.query(({ ctx, input }) => ctx.platform.logs.logs(ctx.caller, input.name, input)),

		/**
		 * The Worker's new log entries as they are recorded, oldest first, as server-sent events (tRPC's
		 * httpSubscriptionLink): each event's id is the entry's, so a reconnect (`lastEventId`) resumes after it.
		 * Starts after the newest entry so far when `lastEventId` is not given.
		 */
		tail: signedInProcedure
			.input(
				nameInput.extend({
					level: z.enum(LOG_LEVELS, { error: `level must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
					lastEventId: z.string().regex(/^\d{1,15}$/, 'lastEventId must be an entry id (a whole number)').nullish()
				})
			)
			.subscription(async ({ ctx, input, signal }) => {
				// Resolved before the stream starts, so a refusal (NOT_FOUND, a bound) is the call's own error.
				const entries = await ctx.platform.logs.tail(ctx.caller, input.name, {
					after: input.lastEventId ? Number(input.lastEventId) : undefined,
					level: input.level,
					signal
				});
				return (async function* () {
					for await (const entry of entries) yield tracked(String(entry.id), entry);
				})();
			}),

		/** Requests, errors and wall-time percentiles per minute, from `from` to `to` (ms since the epoch; the last hour by default). */
		metrics: signedInProcedure
			.input(
				nameInput.extend({
					from: z.number({ error: 'from must be a number (ms since the epoch)' }).int().min(0).optional(),
					to: z.number({ error: 'to must be a number (ms since the epoch)' }).int().min(0).optional()
				})
			)
			.query(({ ctx, input }) => ctx.platform.logs.metrics(ctx.caller, input.name, input)),

		/** Requests per minute over the last hour of each named Worker the caller may see (others are left out). */
		requestRates: signedInProcedure
			.input(z.object({ names: z.array(text('names[]')).max(REQUEST_RATES_MAX_NAMES, `names may hold at most ${REQUEST_RATES_MAX_NAMES} Workers`) }))
			.query(({ ctx, input }) => ctx.platform.logs.requestRates(ctx.caller, input.names)),

		/** Customers' own domains: requests whose Host is one run the Worker (README, "Routing"). */
		hostnames: t.router({
			add: signedInProcedure
				.input(nameInput.extend({ hostname: text('hostname') }))
				.mutation(({ ctx, input }) => ctx.platform.hostnames.add(ctx.caller, input.name, input.hostname)),
			remove: signedInProcedure.input(z.object({ hostname: text('hostname') })).mutation(async ({ ctx, input }) => {
				await ctx.platform.hostnames.remove(ctx.caller, input.hostname);
				return { hostname: input.hostname, removed: true as const };
			}),
			list: signedInProcedure.input(nameInput).query(({ ctx, input }) => ctx.platform.hostnames.list(ctx.caller, input.name))
		})
	}),

	/**
	 * Static assets' upload sessions (src/lib/server/assets/service.ts): `start` with the manifest, `upload` the
	 * missing files in batches, then `workers.upload` with `assets: { session }`.
	 */
	assets: t.router({
		start: signedInProcedure
			.input(
				z.object({
					name: text('name'),
					manifest: z.record(
						z.string(),
						z.object({ hash: text('hash'), size: z.number({ error: 'size must be a number' }) }, { error: 'each manifest entry must be { hash, size }' }),
						{ error: 'manifest must map paths to { hash, size }' }
					)
				})
			)
			.mutation(({ ctx, input }) => ctx.platform.assetUploads.start(ctx.caller, input)),
		upload: signedInProcedure
			.input(z.object({ session: text('session'), files: z.array(z.object({ hash: text('hash'), base64: text('base64') })) }))
			.mutation(({ ctx, input }) => ctx.platform.assetUploads.upload(ctx.caller, input)),
		/** A version's files (the serving one by default): path, SHA-256, size, content type. */
		list: signedInProcedure
			.input(nameInput.extend({ version: versionNumber.optional() }))
			.query(({ ctx, input }) => ctx.platform.assetUploads.files(ctx.caller, input.name, input.version))
	}),

	customers: t.router({
		create: signedInProcedure
			.input(z.object({ name: text('name'), plan: planInput }))
			.mutation(({ ctx, input }) => ctx.platform.customers.create(ctx.caller, input)),
		list: signedInProcedure
			.input(pageInput(CUSTOMERS_PAGE_MAX).optional())
			.query(({ ctx, input }) => ctx.platform.customers.list(ctx.caller, { cursor: input?.cursor, limit: input?.limit })),
		get: signedInProcedure.input(z.object({ id: text('id') })).query(({ ctx, input }) => ctx.platform.customers.get(ctx.caller, input.id)),
		update: signedInProcedure
			.input(z.object({ id: text('id'), name: text('name').optional(), plan: planInput }))
			.mutation(({ ctx, input }) => ctx.platform.customers.update(ctx.caller, input)),
		delete: signedInProcedure.input(z.object({ id: text('id') })).mutation(async ({ ctx, input }) => {
			const { workersDeleted } = await ctx.platform.customers.delete(ctx.caller, input.id);
			return { id: input.id, deleted: true as const, workersDeleted };
		})
	}),

	tokens: t.router({
		/** `token` is in this answer only: the platform keeps its hash. A customer's `customerId` is its own. */
		create: signedInProcedure
			.input(z.object({ customerId: text('customerId').optional(), label: text('label') }))
			.mutation(({ ctx, input }) => ctx.platform.customers.createToken(ctx.caller, input)),
		list: signedInProcedure
			.input(z.object({ customerId: text('customerId').optional() }).optional())
			.query(({ ctx, input }) => ctx.platform.customers.listTokens(ctx.caller, input?.customerId)),
		revoke: signedInProcedure.input(z.object({ id: text('id') })).mutation(async ({ ctx, input }) => {
			await ctx.platform.customers.revokeToken(ctx.caller, input.id);
			return { id: input.id, revoked: true as const };
		})
	})
});

export type AppRouter = typeof appRouter;
export const createCaller = t.createCallerFactory(appRouter);
