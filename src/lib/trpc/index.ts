export type { AppRouter, WorkerRecord } from './router';
export { createPlatformClient, type PlatformClient, type PlatformClientOptions } from './client';
