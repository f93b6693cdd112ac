// The HTTP bench's Next.js app: one route handler, GET /api/me (see bench/http/run.js).
/** @type {import('next').NextConfig} */
const config = {
  // database drivers and the libraries under test are loaded by Node at run time, as in
  // examples/nextjs; @portcullis/nextjs is bundled (it imports next/headers)
  serverExternalPackages: [
    'better-sqlite3',
    'pg',
    'ioredis',
    'kysely',
    'better-auth',
    '@node-rs/argon2',
    '@portcullis/core',
    '@portcullis/adapter-kysely',
    '@portcullis/adapter-redis',
  ],
  poweredByHeader: false,
};

export default config;
