import { useMemo } from 'react';
import { encode } from 'uqr';

/** Props of {@link QrCode}. */
export interface QrCodeProps {
  /** The text to encode, e.g. an `otpauth://` URI. */
  value: string;
  /** The image's accessible name. */
  label: string;
  /** Rendered width and height in CSS pixels (default 192). */
  size?: number;
  className?: string;
}

/**
 * A QR code as inline SVG: one path of dark modules on a light square, crisp at any size, no
 * canvas or image request. Dark on light whatever the theme, since scanners need the contrast.
 */
export function QrCode({ value, label, size = 192, className }: QrCodeProps) {
  const { path, modules } = useMemo(() => {
    // M keeps the symbol small for a ~100-character otpauth URI and survives a glare or two
    const { data } = encode(value, { ecc: 'M', border: 2 });
    let d = '';
    data.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      });
    });
    return { path: d, modules: data.length };
  }, [value]);
  return (
    <svg
      className={className ?? 'pc-qr-code'}
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shapeRendering="crispEdges"
    >
      <rect width={modules} height={modules} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
