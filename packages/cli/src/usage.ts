export const USAGE = `Usage: portcullis <command> [options]

Commands:
  migrate [up]      Apply pending migrations (all, or --steps N)
  migrate down      Revert the latest migration (or --steps N, or --steps all)
  migrate status    List migrations and whether each is applied
  migrate check     Exit 1 when migrations are pending or were changed after they ran
  generate drizzle  Write Portcullis's tables as a Drizzle schema file (--dialect, --out)
  keys list         List the issuer's signing keys and their states (--issuer)
  keys rotate       Retire the active key and sign with the published next one (--algorithm)
  keys revoke <kid> Revoke a signing key at once (its tokens fail; the next key signs)

Options:
  --database-url <url>   postgres://, mysql://, mariadb://, sqlite:<path> or file:<path>
                         (default: $DATABASE_URL)
  --table-prefix <p>     Prefix of Portcullis's tables (default: pc_)
  --steps <n|all>        How many migrations migrate up/down runs
  --dialect <d>          generate drizzle: pg, mysql or sqlite
  --out <file>           generate drizzle: the file to write (default: stdout)
  --issuer <url>         keys: the token issuer (tokens.issuer; default baseURL + basePath)
  --tenant <id>          keys: an isolated-pool tenant's own issuer (tokens.tenantIssuers):
                         <issuer>/tenants/<id>
  --algorithm <alg>      keys rotate: EdDSA, ES256 or RS256 (default EdDSA)
  -h, --help             Show this help
  -v, --version          Print the version

Environment: DATABASE_URL; PORTCULLIS_KEY_ENCRYPTION_KEYS (keys rotate/revoke: version:secret,
newest first, the same key-encryption keys as tokens.signingKeys.keyEncryptionKeys).

Exit codes: 0 done, 1 failed or not up to date, 2 wrong command line.`;

/** What a wrong command line prints under its error: one line, not the whole help. */
export const USAGE_LINE =
  'Usage: portcullis migrate [up|down|status|check] --database-url <url> | portcullis generate drizzle --dialect <pg|mysql|sqlite> (portcullis --help for more)';
