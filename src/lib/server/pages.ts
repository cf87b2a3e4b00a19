// The small HTML pages the dispatcher answers with when it cannot hand a request to a user Worker.

const escapeHtml = (text: string) =>
	text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function platformErrorPage(status: number, title: string, detail: string): Response {
	const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color-scheme:light dark}
code{font-size:.9em}p.status{opacity:.6}</style></head>
<body><p class="status">${status}</p><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>
<p><a href="/">Back to the platform</a></p></body></html>`;
	return new Response(html, {
		status,
		headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }
	});
}
