// Each Worker's recent log entries and per-minute request metrics, in D1 (migrations/0005_worker_logs.sql).
// Bounded per Worker: each write drops the entries beyond the newest `maxEntries` and those older than
// `maxAgeMs`, and metric minutes older than 24 hours, so a Worker that logs in a tight loop keeps at most
// `maxEntries` rows; expired rows of every Worker (deleted ones too) go a few hundred per write. The
// runners send batches of entries and metrics (buffer.ts) off the request's path.
import type { LogBatch } from './buffer';
import { LOG_LEVELS, levelRank, type LogEntry, type LogLevel, type NewLogEntry, type RequestSummary } from './entries';
import { MINUTE_MS, metricsOf, percentile, type MinuteSums } from './metrics';

export interface LogSettings {
	/** Whether entries are recorded at all (WFP_LOGS=off turns it off). */
	enabled: boolean;
	maxEntries: number;
	maxAgeMs: number;
}

export const LOGS_LIMIT_DEFAULT = 100;
export const LOGS_LIMIT_MAX = 1000;
const METRICS_KEPT_MS = 24 * 60 * 60 * 1000;
/** How many expired rows (of any Worker) one write removes at most. */
const EXPIRED_ROWS_PER_WRITE = 500;

/** The settings from the environment: WFP_LOGS (on|off), LOGS_MAX_ENTRIES (1000), LOGS_MAX_AGE_HOURS (24). */
export function logSettings(env: Record<string, unknown>): LogSettings {
	const number = (value: unknown, fallback: number) => {
		const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
		return parsed > 0 ? parsed : fallback;
	};
	return {
		enabled: env.WFP_LOGS !== 'off',
		maxEntries: number(env.LOGS_MAX_ENTRIES, 1000),
		maxAgeMs: number(env.LOGS_MAX_AGE_HOURS, 24) * 60 * 60 * 1000
	};
}

export interface MinuteMetrics {
	/** Start of the minute, ms since the epoch. */
	minute: number;
	requests: number;
	errors: number;
	cpuMs: number;
	/** Upper bound of the bucket holding the median / 99th percentile wall time (null: beyond 30 s). */
	p50WallMs: number | null;
	p99WallMs: number | null;
}

export interface LogQuery {
	/** Only entries after this entry id (a cursor from an earlier answer). */
	since?: number;
	limit?: number;
	/** Only entries at this level or more severe. */
	level?: LogLevel;
}

interface LogRow {
	id: number;
	time: number;
	request_id: string | null;
	kind: LogEntry['kind'];
	level: number;
	message: string;
	request: string | null;
}

export class LogStore {
	constructor(
		private readonly db: D1Database,
		readonly settings: LogSettings
	) {}

	/** Stores `entries` of the Worker `scriptId` with the metrics of their request lines, and prunes what is over the bounds. */
	record(scriptId: string, entries: NewLogEntry[], now = Date.now()): Promise<void> {
		return this.recordAll({ entries: { [scriptId]: entries }, metrics: { [scriptId]: metricsOf(entries) } }, now);
	}

	/** Stores a batch of several Workers' entries and adds its metrics, in one D1 batch. */
	async recordAll(batch: LogBatch, now = Date.now()): Promise<void> {
		if (!this.settings.enabled) return;
		const statements: D1PreparedStatement[] = [];
		for (const [scriptId, minutes] of Object.entries(batch.metrics)) statements.push(...this.#metricUpdates(scriptId, minutes));
		for (const [scriptId, entries] of Object.entries(batch.entries)) {
			if (entries.length === 0) continue;
			statements.push(...this.#inserts(scriptId, entries.slice(-this.settings.maxEntries)));
			statements.push(
				this.db
					.prepare(
						`DELETE FROM worker_logs WHERE script_id = ?1 AND (time < ?2 OR id <= (
						   SELECT id FROM worker_logs WHERE script_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?3))`
					)
					.bind(scriptId, now - this.settings.maxAgeMs, this.settings.maxEntries)
			);
		}
		if (statements.length === 0) return;
		statements.push(
			// Expired rows of any Worker among the oldest few hundred (the lowest ids, found through the primary
			// key without an index on time), so a deleted Worker's rows go too and each write looks at few rows.
			this.db
				.prepare('DELETE FROM worker_logs WHERE id IN (SELECT id FROM (SELECT id, time FROM worker_logs ORDER BY id LIMIT ?) WHERE time < ?)')
				.bind(EXPIRED_ROWS_PER_WRITE, now - this.settings.maxAgeMs),
			this.db
				.prepare('DELETE FROM worker_metrics WHERE rowid IN (SELECT rowid FROM worker_metrics WHERE minute < ? LIMIT ?)')
				.bind(now - METRICS_KEPT_MS, EXPIRED_ROWS_PER_WRITE)
		);
		await this.db.batch(statements);
	}

	/** One INSERT for all `entries`: they go as one JSON array that SQLite unpacks (json_each), in order. */
	#inserts(scriptId: string, entries: readonly NewLogEntry[]): D1PreparedStatement[] {
		const rows = entries.map((entry) => [
			entry.time,
			entry.requestId,
			entry.kind,
			levelRank(entry.level),
			entry.message,
			entry.request ? JSON.stringify(entry.request) : null
		]);
		return [
			this.db
				.prepare(
					`INSERT INTO worker_logs (script_id, time, request_id, kind, level, message, request)
					 SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?2) ORDER BY key`
				)
				.bind(scriptId, JSON.stringify(rows))
		];
	}

	/** One upsert per minute, adding its counts and wall-time buckets to the stored ones. */
	#metricUpdates(scriptId: string, minutes: readonly MinuteSums[]): D1PreparedStatement[] {
		return minutes
			.filter((sums) => sums.requests > 0)
			.map((sums) => {
				// The buckets this minute adds to, as json_set path/value pairs over the stored array (indexes and counts are integers).
				const touched = sums.wallBuckets.flatMap((count, i) => (count > 0 ? [`'$[${i}]', json_extract(wall_buckets, '$[${i}]') + ${Math.trunc(count)}`] : []));
				return this.db
					.prepare(
						`INSERT INTO worker_metrics (script_id, minute, requests, errors, cpu_ms, wall_buckets) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
						 ON CONFLICT (script_id, minute) DO UPDATE SET requests = requests + ?3, errors = errors + ?4, cpu_ms = cpu_ms + ?5
						 ${touched.length > 0 ? `, wall_buckets = json_set(wall_buckets, ${touched.join(', ')})` : ''}`
					)
					.bind(scriptId, sums.minute, sums.requests, sums.errors, Math.round(sums.cpuMs), JSON.stringify(sums.wallBuckets));
			});
	}

	/** The Worker's most recent entries, newest first. */
	async read(scriptId: string, { since = 0, limit = LOGS_LIMIT_DEFAULT, level = 'debug' }: LogQuery = {}): Promise<LogEntry[]> {
		const { results } = await this.db
			.prepare(
				'SELECT id, time, request_id, kind, level, message, request FROM worker_logs WHERE script_id = ? AND id > ? AND level >= ? ORDER BY id DESC LIMIT ?'
			)
			.bind(scriptId, since, levelRank(level), limit)
			.all<LogRow>();
		return results.map((row) => ({
			id: row.id,
			time: row.time,
			requestId: row.request_id,
			kind: row.kind,
			level: LOG_LEVELS[row.level] ?? 'info',
			message: row.message,
			...(row.request && { request: JSON.parse(row.request) as RequestSummary })
		}));
	}

	/** The id of the Worker's newest entry (0 when it has none): a live tail starts after it. */
	async newestId(scriptId: string): Promise<number> {
		const row = await this.db.prepare('SELECT max(id) AS id FROM worker_logs WHERE script_id = ?').bind(scriptId).first<{ id: number | null }>();
		return row?.id ?? 0;
	}

	/** The Worker's per-minute metrics from `from` to `to` (ms since the epoch), oldest first; minutes without requests are absent. */
	async metrics(scriptId: string, from: number, to: number): Promise<MinuteMetrics[]> {
		const { results } = await this.db
			.prepare('SELECT minute, requests, errors, cpu_ms, wall_buckets FROM worker_metrics WHERE script_id = ? AND minute >= ? AND minute <= ? ORDER BY minute')
			.bind(scriptId, Math.floor(from / MINUTE_MS) * MINUTE_MS, to)
			.all<{ minute: number; requests: number; errors: number; cpu_ms: number; wall_buckets: string }>();
		return results.map((row) => {
			const buckets = JSON.parse(row.wall_buckets) as number[];
			return {
				minute: row.minute,
				requests: row.requests,
				errors: row.errors,
				cpuMs: row.cpu_ms,
				p50WallMs: percentile(buckets, row.requests, 0.5),
				p99WallMs: percentile(buckets, row.requests, 0.99)
			};
		});
	}

	/** Requests per minute of each of `scriptIds` over the `minutes` minutes up to `now`, oldest first. */
	async requestCounts(scriptIds: readonly string[], minutes: number, now = Date.now()): Promise<Map<string, number[]>> {
		const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
		const start = end - (minutes - 1) * MINUTE_MS;
		const counts = new Map(scriptIds.map((id) => [id, new Array<number>(minutes).fill(0)]));
		if (scriptIds.length === 0) return counts;
		const { results } = await this.db
			.prepare(
				`SELECT script_id, minute, requests FROM worker_metrics WHERE minute >= ? AND script_id IN (${scriptIds.map(() => '?').join(', ')})`
			)
			.bind(start, ...scriptIds)
			.all<{ script_id: string; minute: number; requests: number }>();
		for (const row of results) {
			const series = counts.get(row.script_id);
			const index = (row.minute - start) / MINUTE_MS;
			if (series && index >= 0 && index < minutes) series[index] = row.requests;
		}
		return counts;
	}

	/** Forgets everything of the Worker `scriptId` (it was deleted). */
	async forget(scriptId: string): Promise<void> {
		await this.db.batch([
			this.db.prepare('DELETE FROM worker_logs WHERE script_id = ?').bind(scriptId),
			this.db.prepare('DELETE FROM worker_metrics WHERE script_id = ?').bind(scriptId)
		]);
	}
}
