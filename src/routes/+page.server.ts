import { serverCaller } from '$lib/server/caller';
import { orErrorPage } from '$lib/ui/errors.server';
import { LIST_PAGE_SIZE } from '$lib/ui/format';
import type { PageServerLoad } from './$types';

// `?cursor=` is "Load more" without JavaScript; `?limit=` sets the page size.
export const load: PageServerLoad = async (event) => {
	const { searchParams } = event.url;
	const limit = searchParams.has('limit') ? Number(searchParams.get('limit')) : LIST_PAGE_SIZE;
	const cursor = searchParams.get('cursor');
	const caller = serverCaller(event);
	const page = await orErrorPage(caller.workers.list({ cursor, limit }));
	// The operator sees each Worker's owner by name.
	const customers = event.locals.session.principal.kind === 'operator' ? (await orErrorPage(caller.customers.list({ limit: 100 }))).customers : [];
	const customerNames: Record<string, string> = Object.fromEntries(customers.map((c) => [c.id, c.name]));
	return { ...page, limit, firstPage: cursor === null, customerNames };
};
