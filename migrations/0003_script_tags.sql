-- Tags of each Worker: the Cloudflare API's script tags (set by uploads and …/tags through /client/v4,
-- filtered on by `?tags=<tag>:yes|no`). A Worker's tags go with its ownership row (ON DELETE CASCADE), so
-- deleting a Worker, or its customer, removes them.
CREATE TABLE script_tags (
	name TEXT NOT NULL REFERENCES workers (name) ON DELETE CASCADE,
	tag TEXT NOT NULL,
	PRIMARY KEY (name, tag)
);
