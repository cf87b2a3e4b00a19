// The client side of a static assets upload (`wfp deploy --assets <dir>`, or any Node program with a
// platform client): walks the directory, hashes every file, opens an upload session with the manifest,
// uploads only the files the platform lacks in batches within its bound, and returns what `workers.upload`
// takes as `assets`. The server side is src/lib/server/assets/service.ts.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PlatformClient } from '../lib/trpc/client.ts';

/** Entries never uploaded: version control and dependency folders, and macOS's folder metadata. */
const SKIPPED = new Set(['.git', 'node_modules', '.DS_Store', '.assetsignore']);

export interface AssetsUpload {
	/** What `workers.upload` takes as `assets`. */
	assets: { session: string };
	/** Files in the directory, and how many of them (and how many bytes) had to be sent. */
	files: number;
	uploaded: number;
	uploadedBytes: number;
}

interface LocalFile {
	path: string;
	file: string;
	hash: string;
	size: number;
}

async function walk(root: string, directory: string, into: LocalFile[]): Promise<void> {
	for (const entry of await readdir(directory, { withFileTypes: true })) {
		if (SKIPPED.has(entry.name)) continue;
		const file = join(directory, entry.name);
		if (entry.isDirectory()) await walk(root, file, into);
		else if (entry.isFile()) {
			const bytes = await readFile(file);
			into.push({
				path: '/' + relative(root, file).split(sep).join('/'),
				file,
				hash: createHash('sha256').update(bytes).digest('hex'),
				size: bytes.byteLength
			});
		}
	}
}

/**
 * Uploads the files under `directory` as the static assets of the Worker `name` and returns the session
 * its upload names. Throws the platform's error (a TRPCClientError naming the file and the limit) when a
 * file is refused, or an Error when `directory` is not a directory or holds no files.
 */
export async function uploadAssets(client: PlatformClient, name: string, directory: string): Promise<AssetsUpload> {
	if (!(await stat(directory).catch(() => null))?.isDirectory()) throw new Error(`${directory} is not a directory`);
	const files: LocalFile[] = [];
	await walk(directory, directory, files);
	if (files.length === 0) throw new Error(`${directory} holds no files to upload as assets`);
	const manifest = Object.fromEntries(files.map(({ path, hash, size }) => [path, { hash, size }]));
	const { session, missing, maxBatchBytes } = await client.assets.start.mutate({ name, manifest });

	// One file per missing hash (identical files share one), in batches of at most maxBatchBytes.
	const byHash = new Map(files.map((file) => [file.hash, file]));
	const batches: LocalFile[][] = [];
	let batch: LocalFile[] = [];
	let batchBytes = 0;
	for (const hash of missing) {
		const file = byHash.get(hash)!;
		if (batch.length > 0 && batchBytes + file.size > maxBatchBytes) {
			batches.push(batch);
			batch = [];
			batchBytes = 0;
		}
		batch.push(file);
		batchBytes += file.size;
	}
	if (batch.length > 0) batches.push(batch);

	let uploadedBytes = 0;
	for (const group of batches) {
		const encoded = await Promise.all(group.map(async ({ file, hash }) => ({ hash, base64: (await readFile(file)).toString('base64') })));
		await client.assets.upload.mutate({ session, files: encoded });
		uploadedBytes += group.reduce((sum, file) => sum + file.size, 0);
	}
	return { assets: { session }, files: files.length, uploaded: missing.length, uploadedBytes };
}
