// Customers' own domains on their Workers (`workers.hostnames.*`). A hostname belongs to one Worker; who
// may attach or detach it is who may change that Worker. The dispatcher finds the Worker of a request's
// Host through `lookup`: one KV key per hostname (`host:<hostname>`), memoised per isolate.
import { ConflictError, InputError, NotFoundError } from '../errors';
import type { PlatformConfig } from '../config';
import type { Principal } from '../principal';
import type { WorkerRegistry } from '../registry';
import { BoundedTtlCache } from '../ttl-cache';
import { mayAccess } from '../workers/access';
import { hostnameOf } from './routing';
import type { HostnameProvider, HostnameVerification } from './provider';

export interface AttachedHostname {
	hostname: string;
	/** The Worker it serves. */
	name: string;
	status: 'pending' | 'active' | 'failed';
	/** While pending: the DNS records the customer must create. */
	verification: HostnameVerification[];
	createdAt: string;
}

export interface HostnameService {
	add(caller: Principal, name: string, hostname: string): Promise<AttachedHostname>;
	remove(caller: Principal, hostname: string): Promise<void>;
	/** A Worker's hostnames, with pending ones' status refreshed from the provider. */
	list(caller: Principal, name: string): Promise<AttachedHostname[]>;
	/** The dispatch path: the Worker a hostname is attached to, or null. */
	lookup(hostname: string): Promise<string | null>;
	/** Detaches every hostname of a Worker that is being deleted. */
	removeAllOf(name: string): Promise<void>;
}

const KEY_PREFIX = 'host:';
export const HOSTNAME_MAX_LENGTH = 253;
/** How many hostnames one isolate remembers (attached or not), and for how long. */
export const HOSTNAME_CACHE_MAX_ENTRIES = 10_000;
export const HOSTNAME_CACHE_TTL_MS = 5_000;

interface HostnameRow {
	hostname: string;
	worker_name: string;
	provider_id: string | null;
	status: AttachedHostname['status'];
	verification: string | null;
	created_at: string;
}

const attachedOf = (row: HostnameRow): AttachedHostname => ({
	hostname: row.hostname,
	name: row.worker_name,
	status: row.status,
	verification: row.verification ? JSON.parse(row.verification) : [],
	createdAt: row.created_at
});

export function createHostnameService(deps: {
	config: PlatformConfig;
	db: D1Database;
	kv: KVNamespace;
	registry: WorkerRegistry;
	provider: HostnameProvider;
	/** The dispatcher's memo of hostname -> Worker name (null: none attached). */
	cache: BoundedTtlCache<string | null>;
}): HostnameService {
	const { config, db, kv, registry, provider, cache } = deps;

	async function accessibleWorker(caller: Principal, name: string) {
		const record = await registry.get(name);
		if (!record || !mayAccess(caller, record)) throw new NotFoundError(`no Worker is named "${name}"`);
		return record;
	}

	async function row(hostname: string): Promise<HostnameRow | null> {
		return db.prepare('SELECT * FROM hostnames WHERE hostname = ?').bind(hostname).first<HostnameRow>();
	}

	async function detach(found: HostnameRow) {
		// The dispatch key first, so the hostname stops serving at once.
		await kv.delete(KEY_PREFIX + found.hostname);
		cache.set(found.hostname, null);
		if (found.provider_id) await provider.remove(found.provider_id);
		await db.prepare('DELETE FROM hostnames WHERE hostname = ?').bind(found.hostname).run();
	}

	return {
		async add(caller, name, input) {
			const hostname = normalised(input);
			const problem = hostnameProblem(hostname, config);
			if (problem) throw new InputError('hostname', problem);
			const record = await accessibleWorker(caller, name);
			const existing = await row(hostname);
			if (existing && existing.worker_name !== name)
				throw new ConflictError(`the hostname ${hostname} is attached to another Worker; detach it there first`, 'hostname');
			if (existing) return attachedOf(existing);

			const provisioned = await provider.create(hostname);
			const created = new Date().toISOString();
			const claimed = await db
				.prepare(
					`INSERT INTO hostnames (hostname, worker_name, customer_id, provider_id, status, verification, created_at)
					 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hostname) DO NOTHING`
				)
				.bind(hostname, name, record.customerId ?? null, provisioned.providerId, provisioned.status, JSON.stringify(provisioned.verification), created)
				.run();
			if (claimed.meta.changes !== 1) {
				// Attached elsewhere in the meantime: give the provider's hostname back.
				if (provisioned.providerId) await provider.remove(provisioned.providerId);
				throw new ConflictError(`the hostname ${hostname} is attached to another Worker; detach it there first`, 'hostname');
			}
			await kv.put(KEY_PREFIX + hostname, name);
			cache.set(hostname, name);
			return { hostname, name, status: provisioned.status, verification: provisioned.verification, createdAt: created };
		},

		async remove(caller, input) {
			const hostname = normalised(input);
			const found = await row(hostname);
			const record = found && (await registry.get(found.worker_name));
			if (!found || !record || !mayAccess(caller, record)) throw new NotFoundError(`no Worker of yours has the hostname ${hostname}`);
			await detach(found);
		},

		async list(caller, name) {
			await accessibleWorker(caller, name);
			const { results } = await db
				.prepare('SELECT * FROM hostnames WHERE worker_name = ? ORDER BY hostname')
				.bind(name)
				.all<HostnameRow>();
			return Promise.all(
				results.map(async (found) => {
					if (found.status !== 'pending' || !found.provider_id) return attachedOf(found);
					const current = await provider.refresh(found.provider_id);
					if (current.status !== found.status)
						await db
							.prepare('UPDATE hostnames SET status = ?, verification = ? WHERE hostname = ?')
							.bind(current.status, JSON.stringify(current.verification), found.hostname)
							.run();
					return { ...attachedOf(found), status: current.status, verification: current.verification };
				})
			);
		},

		async lookup(hostname) {
			const cached = cache.get(hostname);
			if (cached !== undefined) return cached;
			const name = await kv.get(KEY_PREFIX + hostname);
			cache.set(hostname, name);
			return name;
		},

		async removeAllOf(name) {
			const { results } = await db.prepare('SELECT * FROM hostnames WHERE worker_name = ?').bind(name).all<HostnameRow>();
			for (const found of results) await detach(found);
		}
	};
}

function normalised(hostname: string): string {
	return hostname.trim().toLowerCase().replace(/\.$/, '');
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `hostname` cannot be attached, or null. The platform's own host and its subdomains are its own. */
export function hostnameProblem(hostname: string, config: Pick<PlatformConfig, 'platformHost' | 'publicOrigin'>): string | null {
	if (!hostname) return 'hostname is required, like shop.example.com';
	if (hostname.length > HOSTNAME_MAX_LENGTH) return `hostname is ${hostname.length} characters long; the limit is ${HOSTNAME_MAX_LENGTH}`;
	const labels = hostname.split('.');
	if (labels.length < 2 || !labels.every((label) => LABEL.test(label)))
		return `"${hostname}" is not a host name: use letters, digits and "-" in dot-separated labels, like shop.example.com (no port, no scheme, no path)`;
	if (/^\d+$/.test(labels[labels.length - 1])) return `"${hostname}" is an address, not a host name`;
	const own = [config.platformHost, config.publicOrigin && new URL(config.publicOrigin).host]
		.filter((host): host is string => Boolean(host))
		.map(hostnameOf);
	for (const reserved of [...own, 'localhost'])
		if (hostname === reserved || hostname.endsWith(`.${reserved}`))
			return `${hostname} belongs to the platform (${reserved} and its subdomains); attach a domain of your own`;
	return null;
}
