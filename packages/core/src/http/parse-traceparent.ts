import type { TraceParent } from '../call-context.js';

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// a later version may append fields after the four it shares with 00 (spec, "Versioning")
const LATER_VERSION = /^([0-9a-e][0-9a-f]|f[0-9a-e])-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a `traceparent` header per W3C Trace Context (level 1): null for anything invalid
 * (uppercase hex, an all-zero id, version `ff`, extra fields on version 00, a wrong length), which
 * the spec says to ignore as if absent.
 *
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // → { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', sampled: true }
 */
export function parseTraceparent(header: string | null | undefined): TraceParent | null {
  if (!header) return null;
  const text = header.trim();
  const v00 = VERSION_00.exec(text);
  const later = v00 || text.startsWith('00-') ? null : LATER_VERSION.exec(text);
  const [traceId, parentId, flags] = v00 ? v00.slice(1, 4) : later ? later.slice(2, 5) : [];
  if (!traceId || !parentId || !flags) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
