/**
 * The servers the HTTP bench compares, each its own process: Express 5 (`express-server.js`) and
 * the Next.js app (`next-app/`, one `next build`, one `next start` per server). `baseline` is the
 * hello world of the same framework, `betterAuth` the better-auth server a ratio is taken against.
 * `users` names the seeded users whose cookies the load carries.
 *
 * @typedef {{
 *   key: string, label: string, framework: 'express' | 'next',
 *   library: 'hello' | 'portcullis' | 'better-auth', database?: 'postgres' | 'sqlite', redis?: boolean,
 *   users: 'portcullisPostgres' | 'portcullisSqlite' | 'betterAuthPostgres' | 'betterAuthRedis',
 *   baseline: string, betterAuth?: string,
 * }} BenchServer
 */

/** @type {BenchServer[]} */
export const SERVERS = [
  {
    key: 'express-hello',
    label: 'Express hello world',
    framework: 'express',
    library: 'hello',
    users: 'portcullisPostgres', // it ignores the cookie; sent so that every request has the same size
    baseline: 'express-hello',
  },
  {
    key: 'express-portcullis-pg',
    label: 'Portcullis requireAuth, PostgreSQL',
    framework: 'express',
    library: 'portcullis',
    database: 'postgres',
    users: 'portcullisPostgres',
    baseline: 'express-hello',
    betterAuth: 'express-better-auth-pg',
  },
  {
    key: 'express-portcullis-pg-redis',
    label: 'Portcullis requireAuth, PostgreSQL + Redis session cache',
    framework: 'express',
    library: 'portcullis',
    database: 'postgres',
    redis: true,
    users: 'portcullisPostgres',
    baseline: 'express-hello',
    betterAuth: 'express-better-auth-pg',
  },
  {
    key: 'express-portcullis-sqlite',
    label: 'Portcullis requireAuth, SQLite',
    framework: 'express',
    library: 'portcullis',
    database: 'sqlite',
    users: 'portcullisSqlite',
    baseline: 'express-hello',
    betterAuth: 'express-better-auth-pg',
  },
  {
    key: 'express-better-auth-pg',
    label: 'better-auth getSession, PostgreSQL',
    framework: 'express',
    library: 'better-auth',
    database: 'postgres',
    users: 'betterAuthPostgres',
    baseline: 'express-hello',
    betterAuth: 'express-better-auth-pg',
  },
  {
    key: 'express-better-auth-redis',
    label: 'better-auth getSession, Redis secondary storage',
    framework: 'express',
    library: 'better-auth',
    database: 'postgres',
    redis: true,
    users: 'betterAuthRedis',
    baseline: 'express-hello',
    betterAuth: 'express-better-auth-pg',
  },
  {
    key: 'next-hello',
    label: 'Next.js hello world',
    framework: 'next',
    library: 'hello',
    users: 'portcullisPostgres',
    baseline: 'next-hello',
  },
  {
    key: 'next-portcullis-pg',
    label: 'Next.js, Portcullis getSession, PostgreSQL',
    framework: 'next',
    library: 'portcullis',
    database: 'postgres',
    users: 'portcullisPostgres',
    baseline: 'next-hello',
  },
  {
    key: 'next-portcullis-pg-redis',
    label: 'Next.js, Portcullis getSession, PostgreSQL + Redis session cache',
    framework: 'next',
    library: 'portcullis',
    database: 'postgres',
    redis: true,
    users: 'portcullisPostgres',
    baseline: 'next-hello',
  },
];

/**
 * The HTTP targets (issue 15): a ratio of one server's median req/s to another's.
 * @type {{ label: string, server: string, over: string, atLeast: number }[]}
 */
export const HTTP_TARGETS = [
  {
    label: 'Express, PostgreSQL + Redis session cache ÷ hello world',
    server: 'express-portcullis-pg-redis',
    over: 'express-hello',
    atLeast: 0.9,
  },
  {
    label: 'Next.js route handler, PostgreSQL + Redis session cache ÷ hello world',
    server: 'next-portcullis-pg-redis',
    over: 'next-hello',
    atLeast: 0.9,
  },
  {
    label: 'Express, PostgreSQL without a cache ÷ hello world',
    server: 'express-portcullis-pg',
    over: 'express-hello',
    atLeast: 0.55,
  },
  {
    label: 'Next.js route handler, PostgreSQL without a cache ÷ hello world',
    server: 'next-portcullis-pg',
    over: 'next-hello',
    atLeast: 0.55,
  },
  {
    label: 'Express, PostgreSQL ÷ better-auth getSession on PostgreSQL',
    server: 'express-portcullis-pg',
    over: 'express-better-auth-pg',
    atLeast: 3.5,
  },
  {
    label: 'Express, PostgreSQL + Redis ÷ better-auth with Redis secondary storage',
    server: 'express-portcullis-pg-redis',
    over: 'express-better-auth-redis',
    atLeast: 3,
  },
];
