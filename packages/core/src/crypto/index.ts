export { constantTimeEqual, generateToken, sha256Hex } from './random.js';
export { uuidv7 } from './uuid.js';
