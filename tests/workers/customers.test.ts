// Customers, their tokens and sessions, and what each may see and change: the services over the real D1
// database, KV namespace and Worker Loader of this test's workerd.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '$lib/server/auth';
import { buildPlatform } from '$lib/server/platform';
import type { Principal } from '$lib/server/principal';
import { callerFor, hello, ORIGIN, trpcError, useEmptyKv } from './helpers';

const ADMIN_TOKEN = 'admin-token-for-tests';

async function twoCustomers(vars: Partial<Env> = {}) {
	const platform = buildPlatform({ ...env, PLATFORM_ADMIN_TOKEN: ADMIN_TOKEN, ...vars } as Env);
	const admin = callerFor(platform, { kind: 'operator' });
	const a = await admin.customers.create({ name: 'Customer A', plan: { maxWorkers: 2 } });
	const b = await admin.customers.create({ name: 'Customer B' });
	const tokenA = await admin.tokens.create({ customerId: a.id, label: 'ci' });
	const tokenB = await admin.tokens.create({ customerId: b.id, label: 'ci' });
	const as = async (token: string) => callerFor(platform, (await platform.auth.principalOfToken(token)) as Principal);
	return { platform, admin, a, b, tokenA, tokenB, callerA: await as(tokenA.token), callerB: await as(tokenB.token) };
}

const request = (headers: Record<string, string>) => new Request(`${ORIGIN}/api/trpc/auth.whoami`, { headers });

describe('customers', () => {
	useEmptyKv();

	it('issues tokens shown once, stored as hashes, that identify their customer', async () => {
		const { platform, a, tokenA, admin } = await twoCustomers();
		expect(tokenA.token).toMatch(/^wfp_[A-Za-z0-9]{43}$/);
		const stored = await env.DB.prepare('SELECT * FROM tokens WHERE id = ?').bind(tokenA.id).first<Record<string, unknown>>();
		expect(JSON.stringify(stored)).not.toContain(tokenA.token);
		expect(await platform.auth.principalOfToken(tokenA.token)).toMatchObject({ kind: 'customer', customerId: a.id });
		expect(await platform.auth.principalOfToken(tokenA.token + 'x')).toBeNull();
		const listed = await admin.tokens.list({ customerId: a.id });
		expect(listed.map((t) => t.label)).toEqual(['ci']);
		expect(JSON.stringify(listed)).not.toContain(tokenA.token);
	});

	it('keeps each customer to its own Workers: list, get, delete and overwrite', async () => {
		const { admin, a, callerA, callerB } = await twoCustomers();
		const site = await callerA.workers.upload({ name: 'a-site', code: hello('a') });
		expect(site.customerId).toBe(a.id);

		expect((await callerB.workers.list()).workers).toEqual([]);
		expect(await trpcError(() => callerB.workers.get({ name: 'a-site' }))).toEqual({ code: 'NOT_FOUND', message: 'no Worker is named "a-site"' });
		expect((await trpcError(() => callerB.workers.delete({ name: 'a-site' }))).code).toBe('NOT_FOUND');
		expect(await trpcError(() => callerB.workers.upload({ name: 'a-site', code: hello('b') }))).toEqual({
			code: 'CONFLICT',
			message: 'the name "a-site" is taken; choose another name'
		});
		expect((await callerA.workers.get({ name: 'a-site' })).code).toBe(hello('a'));
		expect((await callerA.workers.list()).workers.map((w) => w.name)).toEqual(['a-site']);

		// The operator sees everything and can filter by customer.
		await admin.workers.upload({ name: 'ops-site', code: hello('ops') });
		expect((await admin.workers.list()).workers.map((w) => w.name)).toEqual(['a-site', 'ops-site']);
		expect((await admin.workers.list({ customerId: a.id })).workers.map((w) => w.name)).toEqual(['a-site']);
		expect((await trpcError(() => callerA.workers.get({ name: 'ops-site' }))).code).toBe('NOT_FOUND');
	});

	it("keeps another customer and anonymous callers away from a Worker's versions, settings and hostnames", async () => {
		const { platform, callerA, callerB } = await twoCustomers();
		await callerA.workers.upload({ name: 'a-private', code: hello('one') });
		await callerA.workers.upload({ name: 'a-private', code: hello('two') });
		await callerA.workers.settings.update({ name: 'a-private', vars: { MODE: 'a' } });
		const anonymous = callerFor(platform, { kind: 'anonymous' });
		const attempts = (caller: typeof callerB) => [
			() => caller.workers.versions({ name: 'a-private' }),
			() => caller.workers.get({ name: 'a-private', version: 1 }),
			() => caller.workers.rollback({ name: 'a-private', version: 1 }),
			() => caller.workers.deploy({ name: 'a-private', version: 1 }),
			() => caller.workers.settings.get({ name: 'a-private' }),
			() => caller.workers.settings.update({ name: 'a-private', vars: { MODE: 'b' } }),
			() => caller.workers.hostnames.add({ name: 'a-private', hostname: 'b-takes.example' }),
			() => caller.workers.hostnames.list({ name: 'a-private' })
		];
		for (const attempt of attempts(callerB)) expect((await trpcError(attempt)).code).toBe('NOT_FOUND');
		for (const attempt of attempts(anonymous)) expect((await trpcError(attempt)).code).toBe('UNAUTHORIZED');
		expect((await callerA.workers.settings.get({ name: 'a-private' })).vars).toEqual({ MODE: 'a' });
		expect((await callerA.workers.versions({ name: 'a-private' })).serving).toBe(2);
	});

	it("refuses uploads beyond the plan's maxWorkers and maxScriptBytes, naming the limit and the usage", async () => {
		const { admin, a, callerA } = await twoCustomers();
		await callerA.workers.upload({ name: 'one', code: hello() });
		await callerA.workers.upload({ name: 'two', code: hello() });
		const third = await trpcError(() => callerA.workers.upload({ name: 'three', code: hello() }));
		expect(third.code).toBe('FORBIDDEN');
		expect(third.message).toContain('your plan allows 2 Workers and you have 2 (maxWorkers)');
		// A redeploy of an existing Worker is not a new one.
		await callerA.workers.upload({ name: 'two', code: hello('again') });

		await admin.customers.update({ id: a.id, plan: { maxScriptBytes: 100 } });
		const big = await trpcError(() => callerA.workers.upload({ name: 'two', code: hello('x'.repeat(200)) }));
		expect(big.code).toBe('BAD_REQUEST');
		expect(big.message).toMatch(/the limit is 100 B \(your plan's maxScriptBytes\)/);
		expect((await callerA.workers.get({ name: 'two' })).code).toBe(hello('again'));
		expect((await admin.customers.get({ id: a.id })).workers).toBe(2);
	});

	it("puts the owner's cpuMs and subRequests in each Worker's record for dispatch, and updates them with the plan", async () => {
		const { platform, admin, a, callerA } = await twoCustomers();
		await admin.customers.update({ id: a.id, plan: { cpuMs: 7, subRequests: 3 } });
		await callerA.workers.upload({ name: 'limited', code: hello() });
		expect((await platform.registry.lookup('limited'))?.limits).toEqual({ cpuMs: 7, subRequests: 3 });
		await admin.customers.update({ id: a.id, plan: { cpuMs: 9 } });
		expect((await platform.registry.get('limited'))?.limits).toEqual({ cpuMs: 9, subRequests: 3 });
	});

	it('revokes a token on the very next call, and ends the sessions opened with it', async () => {
		const { platform, admin, tokenA } = await twoCustomers();
		const signedIn = (await platform.auth.signIn(tokenA.token))!;
		const cookie = `${SESSION_COOKIE}=${signedIn.sessionId}`;
		expect((await platform.auth.session(request({ cookie }))).principal.kind).toBe('customer');
		await admin.tokens.revoke({ id: tokenA.id });
		expect(await platform.auth.principalOfToken(tokenA.token)).toBeNull();
		expect(await platform.auth.session(request({ authorization: `Bearer ${tokenA.token}` }))).toMatchObject({
			rejectedToken: true,
			principal: { kind: 'anonymous' }
		});
		expect((await platform.auth.session(request({ cookie }))).principal.kind).toBe('anonymous');
	});

	it('ends a session when it signs out, and operator sessions when the admin token changes', async () => {
		const { platform } = await twoCustomers();
		const first = (await platform.auth.signIn(ADMIN_TOKEN))!;
		const second = (await platform.auth.signIn(ADMIN_TOKEN))!;
		const session = (id: string) => platform.auth.session(request({ cookie: `${SESSION_COOKIE}=${id}` }));
		expect((await session(first.sessionId)).principal.kind).toBe('operator');
		await platform.auth.signOut(first.sessionId);
		expect((await session(first.sessionId)).principal.kind).toBe('anonymous');
		expect((await session(second.sessionId)).principal.kind).toBe('operator');

		const rotated = buildPlatform({ ...env, PLATFORM_ADMIN_TOKEN: 'a-new-admin-token' } as Env);
		expect((await rotated.auth.session(request({ cookie: `${SESSION_COOKIE}=${second.sessionId}` }))).principal.kind).toBe('anonymous');
		expect(await platform.auth.signIn('not-a-token')).toBeNull();
	});

	it('lets a customer manage its own tokens only, and only the operator manage customers', async () => {
		const { admin, a, b, tokenB, callerA } = await twoCustomers();
		const own = await callerA.tokens.create({ label: 'laptop' });
		expect(own.customerId).toBe(a.id);
		expect((await callerA.tokens.list()).map((t) => t.label)).toEqual(['ci', 'laptop']);
		expect((await trpcError(() => callerA.tokens.list({ customerId: b.id }))).code).toBe('NOT_FOUND');
		expect((await trpcError(() => callerA.tokens.create({ customerId: b.id, label: 'x' }))).code).toBe('NOT_FOUND');
		expect((await trpcError(() => callerA.tokens.revoke({ id: tokenB.id }))).code).toBe('NOT_FOUND');
		await callerA.tokens.revoke({ id: own.id });

		for (const call of [
			() => callerA.customers.list(),
			() => callerA.customers.create({ name: 'x' }),
			() => callerA.customers.update({ id: a.id, plan: { maxWorkers: 1000 } }),
			() => callerA.customers.delete({ id: b.id }),
			() => callerA.customers.get({ id: b.id })
		])
			expect((await trpcError(call)).code).toBe('FORBIDDEN');
		expect((await callerA.customers.get({ id: a.id })).name).toBe('Customer A');
		expect((await admin.customers.list()).customers.map((c) => c.name)).toEqual(expect.arrayContaining(['Customer A', 'Customer B']));
	});

	it("deletes a customer with its Workers (their URLs stop) and its tokens", async () => {
		const { platform, admin, a, tokenA, callerA } = await twoCustomers();
		await callerA.workers.upload({ name: 'doomed', code: hello() });
		expect(await admin.customers.delete({ id: a.id })).toEqual({ id: a.id, deleted: true, workersDeleted: 1 });
		expect(await platform.registry.lookup('doomed')).toBeNull();
		expect(await platform.auth.principalOfToken(tokenA.token)).toBeNull();
		expect((await trpcError(() => admin.customers.get({ id: a.id }))).code).toBe('NOT_FOUND');
		// The name is free again.
		await admin.workers.upload({ name: 'doomed', code: hello('reborn') });
	});

	it('rejects bad customer input with the field named', async () => {
		const { admin, a } = await twoCustomers();
		expect(await trpcError(() => admin.customers.create({ name: '  ' }))).toEqual({ code: 'BAD_REQUEST', message: 'name is required' });
		const zero = await trpcError(() => admin.customers.update({ id: a.id, plan: { maxWorkers: 0 } }));
		expect(zero.code).toBe('BAD_REQUEST');
		expect(zero.message).toContain('maxWorkers must be at least 1');
		expect((await trpcError(() => admin.tokens.create({ customerId: a.id, label: '' }))).message).toContain('label is required');
		expect((await trpcError(() => admin.customers.delete({ id: 'cus_nope' }))).code).toBe('NOT_FOUND');
	});
});
