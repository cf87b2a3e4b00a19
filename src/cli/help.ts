// The help texts, written by hand. Every command's help ends with the global options and the exit codes.

const RECORD =
	'{ "name", "scriptId", "url", "version" (the serving one), "size" (bytes), "sha256", "compatibilityDate", "settings", "deployment", "createdAt", "updatedAt" } (ISO 8601 times)';

const COMMON = `Global options:
  --url <url>      the platform (default: $WFP_URL, else http://localhost:8787)
  --token <token>  admin token, sent as "Authorization: Bearer <token>" (default: $WFP_TOKEN)
  -h, --help       show help

Exit codes:
  0  success
  1  the platform refused or failed the request (invalid code, unknown Worker, server error)
  2  usage: bad arguments, invalid Worker name, unreadable file, delete without confirmation
  3  cannot reach the platform at --url
  4  the platform needs an admin token (--token, WFP_TOKEN), or refused the one given`;

export const MAIN_HELP = `wfp: deploy and manage Workers on a workers-platform server

Usage: wfp <command> [options]

Commands:
  deploy <file>        upload a .js or .mjs module as a Worker and print its URL
  list                 list every Worker: name, URL, size, last update
  get <name>           show a Worker's record, or its source with --source
  delete <name>        delete a Worker (asks first on a terminal, else needs --yes)
  call <name> [path]   send a request to a Worker through the platform and print the response
  versions <name>      list a Worker's versions, newest first, and which one serves
  rollback <name> <v>  make version <v> serve again (the next request runs it)
  vars set|unset|list  a Worker's plain-text variables (env.NAME)
  secret put|delete|list  a Worker's secrets (env.NAME); values are never shown

Run "wfp <command> --help" for a command's options. "wfp --version" prints the version.

${COMMON}
`;

export const COMMAND_HELP: Record<string, string> = {
	deploy: `Usage: wfp deploy <file> [--name <name>] [--message <text>] [--compatibility-date <date>] [--json]

Uploads an ES module Worker (a .js or .mjs file whose default export has a fetch handler) as its next
version and prints the URL it is served at. Requests switch to the new version at once, none fail; the
earlier versions stay for "wfp rollback". A rejected upload changes nothing and the previous version
keeps serving.

Options:
  -n, --name <name>            the Worker's name (default: the file's name without its extension);
                               lowercase a-z, 0-9 and "-", 1-63 characters, checked before uploading
  -m, --message <text>         what changed, shown in "wfp versions" (up to 500 characters)
  --compatibility-date <date>  YYYY-MM-DD (default: the Worker's current one, else the server's)
  --json                       print the Worker record instead of the URL, with "uploaded" (the
                               new version's details): ${RECORD}

${COMMON}
`,

	list: `Usage: wfp list [--json] [--page-size <n>]

Lists every Worker, names ascending, fetching as many pages as there are.

Options:
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
`
};
