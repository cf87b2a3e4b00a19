// The help texts, written by hand. Every command's help ends with the global options and the exit codes.

const RECORD =
	'{ "name", "scriptId", "url", "version" (the serving one), "size" (bytes), "sha256", "compatibilityDate", "settings", "deployment", "createdAt", "updatedAt" } (ISO 8601 times)';

const COMMON = `Global options:
  --url <url>      the platform (default: $WFP_URL, else the URL stored by "wfp login",
                   else http://localhost:8787)
  --token <token>  the admin token or a customer token, sent as "Authorization: Bearer <token>"
                   (default: $WFP_TOKEN, else the token "wfp login" stored for that URL)
  -h, --help       show help

Exit codes:
  0  success
  1  the platform refused or failed the request (invalid code, unknown Worker, plan limit, server error),
     or wfp deploy's build failed
  2  usage: bad arguments, invalid Worker name, unreadable file or config, delete without confirmation
  3  cannot reach the platform at --url
  4  the platform needs a token (wfp login, --token, WFP_TOKEN), refused the one given, or lets only
     its operator do this`;

export const MAIN_HELP = `wfp: deploy and manage Workers on a workers-platform server

Usage: wfp <command> [options]

Commands:
  deploy [path]        build a project (TypeScript, npm packages, wrangler config) and upload it
  list                 list Workers: name, owner (for the operator), URL, size, last update
  get <name>           show a Worker's record, or its source with --source
  delete <name>        delete a Worker (asks first on a terminal, else needs --yes)
  call <name> [path]   send a request to a Worker through the platform and print the response
  versions <name>      list a Worker's versions, newest first, and which one serves
  rollback <name> <v>  make version <v> serve again (the next request runs it)
  vars set|unset|list  a Worker's plain-text variables (env.NAME)
  secret put|delete|list  a Worker's secrets (env.NAME); values are never shown
  logs <name>          a Worker's most recent log entries (console lines, exceptions, requests)
  tail <name>          print a Worker's new log entries as they happen, until Ctrl-C

Signing in, customers and tokens:
  login                check a token with the platform and store it for its URL
  logout               remove the stored token for the URL
  whoami               show who the token in use belongs to, and the URL
  customers <sub>      the operator's customers: list, get, create, update, delete
  tokens <sub>         API tokens: list, create (shown once), revoke

Run "wfp <command> --help" for a command's options. "wfp --version" prints the version.

${COMMON}
`;

export const COMMAND_HELP: Record<string, string> = {
	deploy: `Usage: wfp deploy [path] [--name <name>] [--message <text>] [--compatibility-date <date>]
                  [--dry-run] [--outdir <dir>] [--assets <dir>] [--json]

Builds a Worker project and uploads it as the Worker's next version, then prints the URL it is served at.
Requests switch to the new version at once, none fail; the earlier versions stay for "wfp rollback". A
rejected upload changes nothing and the previous version keeps serving.

path (default: the current directory) is one of:
  a directory      its wrangler.json, wrangler.jsonc or wrangler.toml ("main" is the entry), else
                   package.json "main", else src/index.ts or src/index.js
  a config file    a wrangler config (.json, .jsonc, .toml) and its "main"
  an entry file    a .ts, .mts, .js or .mjs module; the nearest wrangler config in its folder or above
                   (up to the folder with package.json or .git) still applies

From the wrangler config: name, main, compatibility_date, vars (string values), keep_vars and
assets.directory. The entry is bundled with its npm packages by esbuild as wrangler bundles it (ES module,
cloudflare:* and node:* left as imports; .txt/.html as text, .json; .wasm and .bin as modules of their
own: a WebAssembly.Module and an ArrayBuffer, as wrangler uploads them) and a summary
line shows modules, size and gzip size. A build error prints file:line:column and uploads nothing. A .js or
.mjs entry that imports nothing but cloudflare:* and node:* is uploaded exactly as written.

The config's vars become the Worker's vars as its new version starts serving (its first request sees
them); vars the config does not name are removed unless keep_vars = true. Without a config, vars are left
as they are.

Options:
  -n, --name <name>            the Worker's name (default: the config's "name", else package.json's
                               name, else the directory's or file's name); lowercase a-z, 0-9 and "-",
                               1-63 characters, checked before building
  -m, --message <text>         what changed, shown in "wfp versions" (up to 500 characters)
  --compatibility-date <date>  YYYY-MM-DD (default: the config's compatibility_date, else the Worker's
                               current one, else the server's)
  --dry-run                    build and print the summary, upload nothing (no token needed)
  --outdir <dir>               write what is uploaded there: the module(s) and wfp-deploy.json
  --assets <dir>               static files served beside the Worker ("/" is <dir>/index.html;
                               overrides assets.directory); only files the platform lacks are sent
  --json                       print the Worker record instead of the URL, with "uploaded" (the
                               new version's details): ${RECORD}; with --dry-run, wfp-deploy.json

${COMMON}
`,

	list: `Usage: wfp list [--customer <id>] [--json] [--page-size <n>]

Lists the Workers the token may see, names ascending, fetching as many pages as there are: every Worker
for the operator (with an OWNER column: a customer id, or "operator"), its own for a customer.

Options:
  --customer <id>   the operator: only this customer's Workers
  --json            print a JSON array of Worker records instead of a table; each is
                    ${RECORD}
  --page-size <n>   Workers per request, 1-1000 (default 100)

${COMMON}
`,

	get: `Usage: wfp get <name> [--source] [--json]

Shows a Worker's record, or with --source prints its code exactly as uploaded (so that
"wfp get hello --source > hello.js" gives back the file).

Options:
  --source  print the source code
  --json    print the Worker record as JSON, with its "code" too when --source is given:
            ${RECORD}

${COMMON}
`,

	delete: `Usage: wfp delete <name> [--yes] [--json]

Deletes a Worker: its URL stops serving at once. On a terminal wfp asks first; elsewhere (scripts,
CI) it refuses unless --yes is given.

Options:
  -y, --yes  delete without asking
  --json     print { "name", "deleted": true }

${COMMON}
`,

	call: `Usage: wfp call <name> [path] [-X <method>] [-H 'Name: value']... [-d <body>] [--json]

Sends a request to the Worker through the platform (<url>/user-workers/<name><path>) and prints the
response's status line, headers and body. Redirects are shown, not followed. Any HTTP status counts as
success (exit 0): check the status line, or "status" in --json. The admin token is never sent to Workers.

Options:
  path                  path and query for the Worker (default /)
  -X, --method <method> request method (default GET, or POST with -d)
  -H, --header <header> a request header "Name: value"; repeat for more
  -d, --data <body>     request body; @file reads it from a file, @- from standard input
  --json                print { "status", "statusText", "headers": { name: value }, "body" } (body as text;
                        repeated headers joined with ", ")

${COMMON}
`,

	// Signing in, customers and tokens (src/cli/account.ts, src/cli/customers.ts)

	login: `Usage: wfp login [--url <url>] [--token <token>] [--json]

Checks a token with the platform (the admin token or a customer token) and stores the URL and the
token in $XDG_CONFIG_HOME/wfp/config.json (default ~/.config/wfp/config.json), readable only by you
(file mode 0600, folder 0700). Later commands use them when neither --url/--token nor WFP_URL/WFP_TOKEN
is given; the stored token is only ever sent to the URL it was stored for. A refused token stores nothing.

The token comes from --token, else from standard input when it is not a terminal
("wfp login < token.txt", "pass show wfp | wfp login"), else from a prompt that does not echo it.
The URL is --url, else $WFP_URL, else the stored one, else http://localhost:8787.

Options:
  --json  print { "url", "kind", "customerId", "customerName", "openMode", "config" } (never the token)

${COMMON}
`,

	logout: `Usage: wfp logout [--url <url>] [--json]

Removes the token "wfp login" stored for the URL (the stored URL unless --url or WFP_URL says
otherwise). The token itself stays valid until it is revoked ("wfp tokens revoke <id>").

Options:
  --json  print { "url", "signedOut": true|false }

${COMMON}
`,

	whoami: `Usage: wfp whoami [--json]

Shows who the token in use belongs to (the operator, a customer's name and id, or nobody), the URL,
and where the token came from (--token, WFP_TOKEN, or stored by wfp login). Never prints the token.

Options:
  --json  print { "url", "kind": "operator"|"customer"|"anonymous", "customerId", "customerName",
          "tokenId", "openMode", "tokenSource": "--token"|"WFP_TOKEN"|"config"|null }

${COMMON}
`,

	customers: `Usage: wfp customers <list|get|create|update|delete> ... [--json]

The platform's customers, for its operator (the admin token). Each has a plan: how many Workers it may
have, how large a script may be, and the CPU time and subrequests each request may use.

Subcommands:
  list                        every customer: id, name, Workers used of its plan, limits
  get <id>                    one customer, with its usage
  create <name> [limits]      create a customer (limits default to the platform's); prints its id
  update <id> [--name <name>] [limits]
                              rename a customer or change its limits (the others stay)
  delete <id> [--yes]         delete a customer with all its Workers (their URLs stop serving) and
                              its tokens; asks first on a terminal, elsewhere refuses unless --yes

Limits:
  --max-workers <n>           how many Workers it may have
  --max-script-bytes <n>      the largest script it may upload, in bytes
  --max-asset-bytes <n>       the bytes of static assets it may store, all its Workers together
  --cpu-ms <n>                CPU milliseconds per request
  --subrequests <n>           subrequests per request

Options:
  -n, --name <name>           update: the new name
  -y, --yes                   delete: without asking
  --json                      print the customer ({ "id", "name", "plan": { "maxWorkers",
                              "maxScriptBytes", "maxAssetBytes", "cpuMs", "subRequests" }, "createdAt", "updatedAt",
                              and "workers" for list/get }), an array of them, or for delete
                              { "id", "deleted": true, "workersDeleted" }

${COMMON}
`,

	tokens: `Usage: wfp tokens <list|create|revoke> ... [--customer <id>] [--json]

API tokens. A customer manages its own; the operator manages any customer's and names it with
--customer. The platform keeps only a hash of each token: "create" prints the token this once (on
stdout, so "token=$(wfp tokens create ci)" works), and nothing shows it again.

Subcommands:
  list                 the tokens: id, label, customer, created, last used (never the tokens)
  create <label>       a new token; the label says what it is for ("CI", "laptop")
  revoke <id>          revoke a token: it stops working on the next request

Options:
  --customer <id>      the operator: whose tokens (list, create)
  --json               print the token records ({ "id", "label", "customerId", "createdAt",
                       "lastUsedAt" }; create adds "token"), or { "id", "revoked": true }

${COMMON}
`
,

	versions: `Usage: wfp versions <name> [--json]

Lists the Worker's kept versions, newest first: number, when, who uploaded it, size and message; the
serving one is marked. The platform keeps the last VERSION_RETENTION (default 20) and the serving one.

Options:
  --json  print { "serving", "versions": [{ "version", "sha256", "size", "compatibilityDate", "message",
          "author", "createdAt" }] }

${COMMON}
`,

	rollback: `Usage: wfp rollback <name> <version> [--json]

Makes an earlier version serve again; the next request runs it. The rollback is a deployment of its
own, so rolling back to the newer version undoes it.

Options:
  --json  print the Worker record: ${RECORD}

${COMMON}
`,

	vars: `Usage: wfp vars set <name> NAME=value... | wfp vars unset <name> NAME... | wfp vars list <name> [--json]

Plain-text variables the Worker reads as env.NAME; a change applies from the next request, without a new
version. Names are letters, digits and _ (like API_URL), values at most 5 KiB.

Options:
  --json  print the variables as { "NAME": "value" }

${COMMON}
`,

	secret: `Usage: wfp secret put <name> <NAME> | wfp secret delete <name> <NAME> | wfp secret list <name> [--json]

Secrets the Worker reads as env.NAME. "put" reads the value from standard input (one trailing line break
removed), or on a terminal from a prompt that does not echo it; never from an argument. Values are
write-only: "list" and every other command show only names. A change applies from the next request.

Options:
  --json  print the secret names as a JSON array

${COMMON}
`,

	logs: `Usage: wfp logs <name> [--level debug|info|warn|error] [--json]

Prints the Worker's 100 most recent log entries, oldest first: time, kind (DEBUG, INFO, WARN, ERROR for
console lines, EXCEPTION, REQUEST), the request id's first 8 characters, and the message. The platform
keeps the last LOGS_MAX_ENTRIES (default 1000) entries of each Worker for LOGS_MAX_AGE_HOURS (default 24),
and records at most LOGS_MAX_PER_SECOND (default 100) per second per Worker: beyond that, whole requests
are left out and a warning line says how many.

Options:
  --level <level>  only entries at this level or more severe
  --json           print the entries as a JSON array, newest first ({ "id", "time", "requestId",
                   "kind", "level", "message", "request"? })

${COMMON}
`,

	tail: `Usage: wfp tail <name> [--level debug|info|warn|error] [--json]

Prints the Worker's new log entries as they are recorded, until Ctrl-C: a live stream (the workers.tail
subscription, server-sent events), usually within a second of the request. "tailing <name>" on stderr
says the stream is open; when the platform ends a stream (every 5 minutes) it reconnects and goes on
after the last entry it printed.

Options:
  --level <level>  only entries at this level or more severe
  --json           one JSON document per entry and line

${COMMON}
`
};
