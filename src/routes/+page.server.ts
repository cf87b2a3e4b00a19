import { serverCaller } from '$lib/server/caller';
import { orErrorPage } from '$lib/ui/errors.server';
import { LIST_PAGE_SIZE } from '$lib/ui/format';
import type { PageServerLoad } from './$types';

// `?cursor=` is "Load more" without JavaScript; `?limit=` sets the page size.
export const load: PageServerLoad = async (event) => {
	const { searchParams } = event.url;
	const limit = searchParams.has('limit') ? Number(searchParams.get('limit')) : LIST_PAGE_SIZE;
	const cursor = searchParams.get('cursor');
	const page = await orErrorPage(serverCaller(event).workers.list({ cursor, limit }));
	return { ...page, limit, firstPage: cursor === null };
};
