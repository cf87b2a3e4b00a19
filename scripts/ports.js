// Loopback ports for the processes `npm start` and the bench run, chosen so that they cannot take each other's.
import { createServer } from 'node:net';

/**
 * Holds `port` (0: any free port) on 127.0.0.1, where runners listen, until `release()`: a runner started
 * meanwhile binds another ephemeral port, so the port stays free for the server that the runner must know
 * about before it starts. Null when the port is taken.
 * @param {number} port
 * @returns {Promise<{ port: number, release: () => Promise<void> } | null>}
 */
export function reservePort(port) {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', (/** @type {NodeJS.ErrnoException} */ error) => (error.code === 'EADDRINUSE' ? resolve(null) : reject(error)));
		server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
			const { port: reserved } = /** @type {import('node:net').AddressInfo} */ (server.address());
			resolve({ port: reserved, release: () => new Promise((done) => server.close(() => done(undefined))) });
		});
	});
}

/**
 * A TCP port that was free a moment ago. Only for servers that cannot report the port they bound
 * (another process may take it before the caller binds it).
 * @returns {Promise<number>}
 */
export async function freePort() {
	const reservation = await reservePort(0);
	if (!reservation) throw new Error('no free port on 127.0.0.1');
	await reservation.release();
	return reservation.port;
}
