import type { NextConfig } from 'next';

const config: NextConfig = {
  // native or dynamically loaded database drivers: loaded by Node at run time, never bundled
  serverExternalPackages: ['better-sqlite3', 'pg', 'mysql2', 'ioredis'],
  poweredByHeader: false,
};

export default config;
