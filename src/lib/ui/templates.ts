// Starter Workers offered on the upload page.

export interface StarterTemplate {
	id: string;
	label: string;
	code: string;
}

export const STARTER_TEMPLATES: StarterTemplate[] = [
	{
		id: 'hello',
		label: 'Hello world',
		code: `export default {
	async fetch(request) {
		return new Response('Hello from my Worker!');
	}
};
`
	},
	{
		id: 'json',
		label: 'JSON API',
		code: `export default {
	async fetch(request) {
		const url = new URL(request.url);
		if (url.pathname === '/time') return Response.json({ now: new Date().toISOString() });
		if (request.method === 'POST') return Response.json({ received: await request.json() });
		return Response.json({ method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams) });
	}
};
`
	},
	{
		id: 'html',
		label: 'HTML page',
		code: `const page = (name) => \`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Hello</title></head>
<body style="font-family: system-ui; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
	<h1>Hello, \${name}!</h1>
	<p>Served by a Worker. Try <a href="?name=you">?name=you</a>.</p>
</body>
</html>\`;

const escape = (text) => text.replace(/[&<>"']/g, (c) => \`&#\${c.charCodeAt(0)};\`);

export default {
	async fetch(request) {
		const name = new URL(request.url).searchParams.get('name') ?? 'world';
		return new Response(page(escape(name)), { headers: { 'content-type': 'text/html; charset=utf-8' } });
	}
};
`
	}
];
