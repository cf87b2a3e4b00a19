// The platform's customers: the operator creates, renames, re-plans and deletes them and issues their
// API tokens; a customer manages its own tokens. Who may do what is decided here, from the caller.
import type { PlatformConfig } from '../config';
import { InputError, NotFoundError, PlatformError } from '../errors';
import type { Principal } from '../principal';
import type { WorkerService } from '../workers/service';
import { API_TOKEN_PREFIX, randomCredential, randomId, sha256Hex } from './secrets';
import type { Customer, CustomerStore, Plan, TokenInfo } from './store';

export type { Customer, Plan, TokenInfo } from './store';

export const CUSTOMER_NAME_MAX_LENGTH = 100;
export const TOKEN_LABEL_MAX_LENGTH = 100;
export const CUSTOMERS_PAGE_MAX = 100;

export interface CustomerWithUsage extends Customer {
	/** How many Workers it owns. */
	workers: number;
}

export interface CustomerService {
	create(caller: Principal, input: { name: string; plan?: Partial<Plan> }): Promise<Customer>;
	list(caller: Principal, options?: { cursor?: string | null; limit?: number }): Promise<{ customers: CustomerWithUsage[]; cursor: string | null }>;
	get(caller: Principal, id: string): Promise<CustomerWithUsage>;
	update(caller: Principal, input: { id: string; name?: string; plan?: Partial<Plan> }): Promise<Customer>;
	/** Deletes the customer's Workers (their URLs 404 at once), then its tokens, sessions and itself. */
	delete(caller: Principal, id: string): Promise<{ workersDeleted: number }>;
	createToken(caller: Principal, input: { customerId?: string; label: string }): Promise<TokenInfo & { token: string }>;
	listTokens(caller: Principal, customerId?: string): Promise<TokenInfo[]>;
	/** Revokes the token and ends the sessions opened with it, effective on the next request. */
	revokeToken(caller: Principal, id: string): Promise<void>;
}

/** Only the operator manages customers; to anyone else they do not exist. */
export class OperatorOnlyError extends PlatformError {
	constructor(what: string) {
		super('forbidden', `only the platform's operator (admin token) may ${what}`);
		this.name = 'OperatorOnlyError';
	}
}

export function createCustomerService(deps: { config: PlatformConfig; store: CustomerStore; workers: WorkerService }): CustomerService {
	const { config, store, workers } = deps;

	function requireOperator(caller: Principal, what: string) {
		if (caller.kind !== 'operator') throw new OperatorOnlyError(what);
	}

	async function existing(id: string): Promise<Customer> {
		const customer = await store.customer(id);
		if (!customer) throw new NotFoundError(`no customer has the id "${id}"`);
		return customer;
	}

	/** The customer whose tokens `caller` may manage: its own, or (operator) the one named. */
	async function tokenOwner(caller: Principal, customerId: string | undefined): Promise<string> {
		if (caller.kind === 'customer') {
			if (customerId !== undefined && customerId !== caller.customerId) throw new NotFoundError(`no customer has the id "${customerId}"`);
			return caller.customerId;
		}
		requireOperator(caller, 'manage tokens');
		if (customerId === undefined) throw new InputError('customerId', 'customerId is required: the customer the token is for');
		return (await existing(customerId)).id;
	}

	return {
		async create(caller, { name, plan }) {
			requireOperator(caller, 'create customers');
			const now = new Date().toISOString();
			const customer: Customer = {
				id: randomId('cus_'),
				name: customerName(name),
				plan: planOf({ ...config.defaultPlan, ...definedOnly(plan) }),
				createdAt: now,
				updatedAt: now
			};
			await store.insertCustomer(customer);
			return customer;
		},

		async list(caller, { cursor = null, limit = 50 } = {}) {
			requireOperator(caller, 'list customers');
			const page = await store.customers(cursor, limit + 1);
			const customers = page.slice(0, limit);
			return { customers, cursor: page.length > limit ? customers[customers.length - 1].id : null };
		},

		async get(caller, id) {
			if (caller.kind !== 'customer' || caller.customerId !== id) requireOperator(caller, 'read other customers');
			return { ...(await existing(id)), workers: await store.workerCount(id) };
		},

		async update(caller, { id, name, plan }) {
			requireOperator(caller, 'change customers');
			const current = await existing(id);
			const updated: Customer = {
				...current,
				name: name === undefined ? current.name : customerName(name),
				plan: planOf({ ...current.plan, ...definedOnly(plan) }),
				updatedAt: new Date().toISOString()
			};
			await store.updateCustomer(updated);
			// Dispatch reads the owner's per-request limits from each Worker's record.
			if (updated.plan.cpuMs !== current.plan.cpuMs || updated.plan.subRequests !== current.plan.subRequests)
				await workers.applyOwnerLimits(id, { cpuMs: updated.plan.cpuMs, subRequests: updated.plan.subRequests });
			return updated;
		},

		async delete(caller, id) {
			requireOperator(caller, 'delete customers');
			await existing(id);
			const workersDeleted = await workers.deleteAllOwnedBy(id);
			await store.deleteCustomer(id);
			return { workersDeleted };
		},

		async createToken(caller, { customerId, label }) {
			const owner = await tokenOwner(caller, customerId);
			const token = randomCredential(API_TOKEN_PREFIX);
			const info: TokenInfo = {
				id: randomId('tok_'),
				customerId: owner,
				label: tokenLabel(label),
				createdAt: new Date().toISOString(),
				lastUsedAt: null
			};
			await store.insertToken(info, await sha256Hex(token));
			return { ...info, token };
		},

		async listTokens(caller, customerId) {
			return store.tokens(await tokenOwner(caller, customerId));
		},

		async revokeToken(caller, id) {
			const token = await store.token(id);
			const visible = token && (caller.kind === 'operator' || (caller.kind === 'customer' && token.customerId === caller.customerId));
			if (!visible) {
				if (caller.kind === 'anonymous') requireOperator(caller, 'revoke tokens');
				throw new NotFoundError(`no token has the id "${id}"`);
			}
			await store.deleteToken(id);
		}
	};
}

/** `value` trimmed; refused when empty (`whenEmpty` says what to give) or longer than `max`. */
function shortText(field: string, value: string, max: number, whenEmpty: string): string {
	const trimmed = value.trim();
	if (!trimmed) throw new InputError(field, `${field} is required${whenEmpty}`);
	if (trimmed.length > max) throw new InputError(field, `${field} is ${trimmed.length} characters long; the limit is ${max}`);
	return trimmed;
}

const customerName = (name: string) => shortText('name', name, CUSTOMER_NAME_MAX_LENGTH, '');
const tokenLabel = (label: string) => shortText('label', label, TOKEN_LABEL_MAX_LENGTH, ': say what the token is for (e.g. "CI")');

function planOf(plan: Plan): Plan {
	for (const key of ['maxWorkers', 'maxScriptBytes', 'maxAssetBytes', 'cpuMs', 'subRequests'] as const) {
		const value = plan[key];
		if (!Number.isInteger(value) || value < 1)
			throw new InputError(`plan.${key}`, `plan.${key} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
	}
	return plan;
}

function definedOnly<T extends object>(value: Partial<T> | undefined): Partial<T> {
	return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
