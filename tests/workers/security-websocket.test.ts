import { describe, expect, it } from 'vitest';
import { ORIGIN, setup, useEmptyKv } from './helpers';

describe('hardened user responses (real Worker Loader)', () => {
	useEmptyKv();

	it('keeps a WebSocket upgrade working while dropping its cookies', async () => {
		const { caller, platform } = setup();
		await caller.workers.upload({
			name: 'socket',
			code: `export default {
				fetch() {
					const [client, server] = Object.values(new WebSocketPair());
					server.accept();
					server.addEventListener('message', (event) => server.send('echo ' + event.data));
					return new Response(null, { status: 101, webSocket: client, headers: { 'set-cookie': 'a=1' } });
				}
			}`
		});
		const { dispatchToUserWorker } = await import('$lib/server/dispatch');
		const url = new URL('/user-workers/socket/', ORIGIN);
		const response = await dispatchToUserWorker(new Request(url, { headers: { upgrade: 'websocket' } }), url, platform);
		expect(response.status).toBe(101);
		expect(response.headers.get('set-cookie')).toBeNull();
		const socket = response.webSocket!;
		socket.accept();
		const reply = new Promise((resolve) => socket.addEventListener('message', (event) => resolve(event.data)));
		socket.send('hi');
		expect(await reply).toBe('echo hi');
		socket.close();
	});
});
