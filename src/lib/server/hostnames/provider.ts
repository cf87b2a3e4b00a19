// Where a custom hostname is provisioned. Locally nothing is needed: a request whose Host is an attached
// hostname reaches the platform (or `curl -H 'Host: shop.example' …`) and is served at once. On
// Cloudflare, each hostname is a Cloudflare for SaaS custom hostname on the platform's zone
// (CLOUDFLARE_ZONE_ID): pending until the customer's DNS proves the domain, then active.
import type { PlatformConfig } from '../config';
import { InputError } from '../errors';

export interface HostnameVerification {
	/** What to create at the customer's DNS provider. */
	type: 'txt' | 'cname' | 'http';
	name: string;
	value: string;
}

export interface ProvisionedHostname {
	providerId: string | null;
	status: 'pending' | 'active' | 'failed';
	verification: HostnameVerification[];
}

export interface HostnameProvider {
	create(hostname: string): Promise<ProvisionedHostname>;
	/** The provider's current view (a pending hostname may have become active). */
	refresh(providerId: string): Promise<ProvisionedHostname>;
	remove(providerId: string): Promise<void>;
}

export const localHostnames: HostnameProvider = {
	create: async () => ({ providerId: null, status: 'active', verification: [] }),
	refresh: async (providerId) => ({ providerId, status: 'active', verification: [] }),
	remove: async () => {}
};

interface CustomHostnameResult {
	id: string;
	status?: string;
	ownership_verification?: { type?: string; name?: string; value?: string };
	ssl?: { validation_records?: { txt_name?: string; txt_value?: string }[] | null } | null;
}

/** Cloudflare for SaaS: POST/GET/DELETE /zones/:zone/custom_hostnames, through the official SDK. */
export function cloudflareHostnames(config: PlatformConfig): HostnameProvider {
	const settings = config.cloudflare!;
	let client: Promise<import('cloudflare').Cloudflare> | undefined;
	const customHostnames = async () =>
		(
			await (client ??= import('cloudflare').then(
				({ Cloudflare }) => new Cloudflare({ apiToken: settings.apiToken, baseURL: settings.apiBaseUrl, maxRetries: 1 })
			))
		).customHostnames;
	const zone_id = () => {
		if (!settings.zoneId)
			throw new InputError('hostname', 'custom hostnames need CLOUDFLARE_ZONE_ID: the zone of the platform (Cloudflare for SaaS)');
		return settings.zoneId;
	};
	const provisioned = (result: CustomHostnameResult): ProvisionedHostname => {
		const verification: HostnameVerification[] = [];
		const ownership = result.ownership_verification;
		if (ownership?.name && ownership.value) verification.push({ type: 'txt', name: ownership.name, value: ownership.value });
		for (const record of result.ssl?.validation_records ?? [])
			if (record.txt_name && record.txt_value) verification.push({ type: 'txt', name: record.txt_name, value: record.txt_value });
		const status = result.status === 'active' ? 'active' : /fail|block|delet/.test(result.status ?? '') ? 'failed' : 'pending';
		return { providerId: result.id, status, verification: status === 'active' ? [] : verification };
	};
	return {
		async create(hostname) {
			const zone = zone_id();
			return provisioned(await (await customHostnames()).create({ zone_id: zone, hostname, ssl: { method: 'txt', type: 'dv' } }));
		},
		async refresh(providerId) {
			const zone = zone_id();
			return provisioned(await (await customHostnames()).get(providerId, { zone_id: zone }));
		},
		async remove(providerId) {
			const zone = zone_id();
			await (await customHostnames()).delete(providerId, { zone_id: zone });
		}
	};
}
