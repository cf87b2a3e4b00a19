// SvelteKit's built worker (.svelte-kit/cloudflare/_worker.js, named by the `alias` in wrangler.jsonc),
// which src/worker.ts wraps. Declared here because it exists only after `npm run build`.
declare module 'sveltekit-worker' {
	const worker: ExportedHandler<Env>;
	export default worker;
}
