import { toNextHandler } from '@portcullis/nextjs';
import { apiRoute } from '@/lib/api-route';
import { getAuth } from '@/lib/auth';

// Every Portcullis route under /api/auth (the instance's basePath): /api/auth/signup, /login, ...
// apiRoute: a failed start (database down) is a problem+json 500 too, not an HTML page
const handlers = toNextHandler(getAuth);
export const GET = apiRoute(handlers.GET);
export const POST = apiRoute(handlers.POST);
export const PUT = apiRoute(handlers.PUT);
export const PATCH = apiRoute(handlers.PATCH);
export const DELETE = apiRoute(handlers.DELETE);
