export { constantTimeEqual, generateToken, sha256Hex } from './random.js';
export { createSealedBox, type SealedBox } from './sealed-box.js';
export { uuidv7 } from './uuid.js';
