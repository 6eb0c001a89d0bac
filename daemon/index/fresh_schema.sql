-- What every migration of daemon/index/schema.py leaves in an empty index, made by
-- fresh_schema.write_script(): write it anew that way, never by hand.
CREATE TABLE IF NOT EXISTS "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);
CREATE TABLE IF NOT EXISTS "projects" (
   "id" INTEGER PRIMARY KEY,
   "name" TEXT NOT NULL,
   "created_at" TEXT,
   "root_path" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "tabs" (
   "id" INTEGER PRIMARY KEY,
   "project_id" INTEGER REFERENCES "projects"("id"),
   "name" TEXT NOT NULL,
   "position" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "blocks" (
   "id" INTEGER PRIMARY KEY,
   "tab_id" INTEGER REFERENCES "tabs"("id"),
   "parent_id" INTEGER REFERENCES "blocks"("id"),
   "type" TEXT NOT NULL,
   "content" TEXT,
   "tags" TEXT,
   "version" INTEGER NOT NULL DEFAULT 1,
   "created_at" TEXT,
   "updated_at" TEXT,
   "key" TEXT,
   "path" TEXT NOT NULL,
   "title" TEXT,
   "phase" TEXT,
   "parent_key" TEXT,
   "content_hash" TEXT,
   "file_hash" TEXT,
   "mtime_ns" INTEGER,
   "size" INTEGER,
   "frontmatter" TEXT,
   "refs" TEXT,
   "id_range" TEXT,
   "record" TEXT,
   "problems" TEXT,
   "link_problems" TEXT,
   "state" TEXT,
   "stale_cause" TEXT,
   "stale_reason" TEXT
, errors INTEGER NOT NULL DEFAULT 0, link_errors INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS "assets" (
   "id" INTEGER PRIMARY KEY,
   "project_id" INTEGER REFERENCES "projects"("id"),
   "hash" TEXT NOT NULL,
   "path" TEXT NOT NULL,
   "mime_type" TEXT NOT NULL,
   "size_bytes" INTEGER,
   "created_at" TEXT,
   "meta_json" TEXT
);
CREATE TABLE IF NOT EXISTS "block_assets" (
   "block_id" INTEGER REFERENCES "blocks"("id"),
   "asset_id" INTEGER REFERENCES "assets"("id"),
   "role" TEXT,
   "approved" INTEGER,
   PRIMARY KEY ("block_id", "asset_id")
);
CREATE TABLE IF NOT EXISTS "history" (
   "id" INTEGER PRIMARY KEY,
   "block_id" INTEGER REFERENCES "blocks"("id"),
   "action" TEXT NOT NULL,
   "payload" TEXT,
   "timestamp" TEXT,
   "block_key" TEXT,
   "version" INTEGER,
   "path" TEXT
, text_hash BLOB, previous_hash BLOB);
CREATE TABLE IF NOT EXISTS "model_catalog" (
   "kind" TEXT PRIMARY KEY,
   "fetched_at" REAL,
   "data" TEXT
);
CREATE TABLE IF NOT EXISTS texts (hash BLOB PRIMARY KEY, data NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "dependencies" (src_block_id INTEGER NOT NULL REFERENCES blocks(id), dst_key TEXT NOT NULL, type TEXT, dst_block_id INTEGER REFERENCES blocks(id), PRIMARY KEY (src_block_id, dst_key)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_blocks_path"
    ON "blocks" ("path");
CREATE INDEX IF NOT EXISTS "idx_blocks_key"
    ON "blocks" ("key");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_assets_hash"
    ON "assets" ("hash");
CREATE INDEX IF NOT EXISTS "idx_history_block_id_version"
    ON "history" ("block_id", "version");
CREATE INDEX IF NOT EXISTS "idx_history_block_key_version"
    ON "history" ("block_key", "version");
CREATE INDEX IF NOT EXISTS "idx_blocks_parent_key"
    ON "blocks" ("parent_key");
CREATE INDEX IF NOT EXISTS idx_blocks_unlinked ON blocks(id) WHERE state IS NULL;
CREATE INDEX IF NOT EXISTS idx_blocks_link_problems ON blocks(id) WHERE link_problems IS NOT NULL AND link_problems != '[]';
CREATE INDEX IF NOT EXISTS "idx_blocks_type_path"
    ON "blocks" ("type", "path");
CREATE INDEX IF NOT EXISTS idx_blocks_phase ON blocks(phase);
CREATE INDEX IF NOT EXISTS idx_blocks_state ON blocks(state);
CREATE INDEX IF NOT EXISTS idx_dependencies_dst_key ON dependencies(dst_key);
CREATE INDEX IF NOT EXISTS idx_blocks_linking_assets ON blocks(id) WHERE instr(frontmatter, '"assets"');
INSERT OR IGNORE INTO "tabs" VALUES (1, 1, 'Story', 0);
INSERT OR IGNORE INTO "tabs" VALUES (2, 1, 'Design', 1);
INSERT OR IGNORE INTO "tabs" VALUES (3, 1, 'Shooting', 2);
INSERT OR IGNORE INTO "tabs" VALUES (4, 1, 'Generate', 3);
