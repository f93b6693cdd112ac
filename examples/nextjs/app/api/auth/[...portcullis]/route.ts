import { toNextHandler } from '@portcullis/nextjs';
import { getAuth } from '@/lib/auth';

// Every Portcullis route under /api/auth (the instance's basePath): /api/auth/signup, /login, ...
export const { GET, POST, PUT, PATCH, DELETE } = toNextHandler(getAuth);
