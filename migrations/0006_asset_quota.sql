-- Each customer's plan bounds the bytes of static assets it stores (src/lib/server/assets/service.ts):
-- every file of every version it keeps, counted once. Customers created before this column get 500 MiB;
-- new ones get DEFAULT_MAX_ASSET_BYTES.
ALTER TABLE customers ADD COLUMN max_asset_bytes INTEGER NOT NULL DEFAULT 524288000;
