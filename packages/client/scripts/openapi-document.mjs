// The OpenAPI document of every route @portcullis/core declares, from its build output (the
// client builds after core). The document is the same whatever the storage: memory storage here.
import { createAuth } from '@portcullis/core';
import { memoryStorage } from '@portcullis/core/memory';

export async function openApiDocument() {
  const auth = createAuth({
    storage: memoryStorage(),
    secret: 'generate-client-only-not-a-real-secret-0123456789abcdef',
    baseURL: 'https://app.example.com',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    outbox: { autoStart: false },
    mailer: { send: async () => {} },
  });
  try {
    return JSON.parse(JSON.stringify(auth.openApiDocument()));
  } finally {
    await auth.close();
  }
}
