// Display helpers with no dependencies, shared by the server's messages and the CLI (which runs in Node
// and imports this file directly).

/** 512 B, 1.5 KiB, 2.25 MiB. */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
	return `${(bytes / (1024 * 1024)).toFixed(2).replace(/\.?0+$/, '')} MiB`;
}
