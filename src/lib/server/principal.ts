// Who is making a call, as every service sees it. The surfaces (tRPC, form actions, the Cloudflare-
// compatible API) work out the principal from the request (src/lib/server/auth.ts) and pass it on.

export type Principal =
	/** The platform's operator: the admin token, or anyone in open mode. Sees and may change everything. */
	| { kind: 'operator' }
	/** One of the platform's customers, through one of its tokens. */
	| { kind: 'customer'; customerId: string; customerName: string; tokenId: string | null }
	/** Nobody in particular: may call Workers at their URLs and nothing else. */
	| { kind: 'anonymous' };

export const OPERATOR: Principal = { kind: 'operator' };
export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The owner recorded for what `principal` creates: a customer's id, or null for the operator. */
export function ownerOf(principal: Principal): string | null {
	return principal.kind === 'customer' ? principal.customerId : null;
}

/** How an upload's author is recorded in a Worker's history. */
export function describePrincipal(principal: Principal): string {
	if (principal.kind === 'customer') return `customer:${principal.customerId}`;
	return principal.kind;
}
