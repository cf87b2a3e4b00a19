// The control-plane API. The web UI, the `wfp` CLI and any TypeScript program use this one router
// (over HTTP with src/lib/trpc/client.ts, or in-process with createCaller).
import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context';
import { refusalMessage } from '$lib/server/auth';
import { asPlatformError, inputFieldOf, type PlatformErrorKind } from '$lib/server/errors';
import { LIST_LIMIT_MAX, type StoredWorker } from '$lib/server/registry';
import { VERSIONS_LIMIT_MAX } from '$lib/server/versions/store';
import { workerPath } from '$lib/paths';

const t = initTRPC.context<Context>().create({
	// Stack traces stay in the server log, not in API responses.
	isDev: false,
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
 * Changes to the platform need a session (admin token or login cookie, or open mode). Queries stay public
 * so that anyone who may call the Workers may also browse them; this includes their source (SECURITY.md).
 */
const adminProcedure = procedure.use(({ ctx, next }) => {
	if (!ctx.session.authenticated) throw new TRPCError({ code: 'UNAUTHORIZED', message: refusalMessage(ctx.platform.config) });
	return next();
});

export interface WorkerRecord extends StoredWorker {
	/** Where the Worker is served. */
	url: string;
}

const withUrl = <T extends StoredWorker>(record: T, origin: string): T & WorkerRecord => ({
	...record,
	url: origin + workerPath(record.name)
});

/** How many items a page may hold: 1 to `max`. */
const pageLimit = (max: number) =>
	z.number().int('limit must be a whole number').min(1, 'limit must be at least 1').max(max, `limit must be at most ${max}`).optional();

const nameInput = z.object({ name: z.string({ error: 'name must be a string' }) });
const versionNumber = z
	.number({ error: 'version must be a number' })
	.int('version must be a whole number')
	.min(1, 'version must be at least 1');
const versionInput = nameInput.extend({ version: versionNumber });
/** Settings: name -> value, or null to remove it. */
const settingValues = (what: string) =>
	z.record(z.string(), z.string({ error: `${what} values must be strings (or null to remove one)` }).nullable()).optional();

export const appRouter = t.router({
	workers: t.router({
		upload: adminProcedure
			.input(
				z.object({
					name: z.string({ error: 'name must be a string' }),
					code: z.string({ error: 'code must be a string' }),
					compatibilityDate: z.string().optional(),
					message: z.string({ error: 'message must be a string' }).optional(),
					deploy: z.boolean({ error: 'deploy must be true or false' }).optional()
				})
			)
			.mutation(async ({ ctx, input }) => withUrl(await ctx.platform.workers.upload(ctx.caller, input), ctx.origin)),

		list: procedure
			.input(
				z
					.object({
						cursor: z.string().nullish(),
						limit: pageLimit(LIST_LIMIT_MAX)
					})
					.optional()
			)
			.query(async ({ ctx, input }) => {
				const page = await ctx.platform.workers.list(ctx.caller, { cursor: input?.cursor ?? undefined, limit: input?.limit });
				return { workers: page.workers.map((record) => withUrl(record, ctx.origin)), cursor: page.cursor };
			}),

		get: procedure
			.input(nameInput.extend({ version: versionNumber.optional() }))
			.query(
				async ({ ctx, input }) =>
					withUrl(await ctx.platform.workers.get(ctx.caller, input.name, input.version), ctx.origin) as WorkerRecord & { code: string }
			),

		delete: adminProcedure.input(nameInput).mutation(async ({ ctx, input }) => {
			await ctx.platform.workers.delete(ctx.caller, input.name);
			return { name: input.name, deleted: true as const };
		}),

		versions: procedure
			.input(
				nameInput.extend({
					cursor: z.string().nullish(),
					limit: pageLimit(VERSIONS_LIMIT_MAX)
				})
			)
			.query(({ ctx, input }) =>
				ctx.platform.workers.versions(ctx.caller, input.name, { cursor: input.cursor ?? undefined, limit: input.limit })
			),

		rollback: adminProcedure
			.input(versionInput)
			.mutation(async ({ ctx, input }) => withUrl(await ctx.platform.workers.rollback(ctx.caller, input.name, input.version), ctx.origin)),

		deploy: adminProcedure
			.input(versionInput)
			.mutation(async ({ ctx, input }) => withUrl(await ctx.platform.workers.deploy(ctx.caller, input.name, input.version), ctx.origin)),

		settings: t.router({
			get: procedure.input(nameInput).query(({ ctx, input }) => ctx.platform.workers.settings(ctx.caller, input.name)),
			update: adminProcedure
				.input(nameInput.extend({ vars: settingValues('vars'), secrets: settingValues('secrets') }))
				.mutation(({ ctx, input }) =>
					ctx.platform.workers.updateSettings(ctx.caller, input.name, { vars: input.vars, secrets: input.secrets })
				)
		})
	})
});

export type AppRouter = typeof appRouter;
export const createCaller = t.createCallerFactory(appRouter);
