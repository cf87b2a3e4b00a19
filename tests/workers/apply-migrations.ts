// Each test file's workerd starts with the D1 schema from migrations/ (vitest.config.ts reads it).
import { applyD1Migrations, env } from 'cloudflare:test';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
