import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { QrCode } from '../../src/index.js';

// vitest runs without globals: @testing-library/react cannot register its cleanup itself
afterEach(cleanup);

/** The dark modules the SVG path draws, as "x,y". */
function darkModules(svg: Element): Set<string> {
  const d = svg.querySelector('path')?.getAttribute('d') ?? '';
  return new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
}

describe('QrCode', () => {
  it('draws a valid QR symbol: a square of 21 + 4k modules with its quiet zone and three finder patterns', () => {
    const uri =
      'otpauth://totp/Acme:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=30&digits=6&algorithm=SHA1&issuer=Acme';
    render(<QrCode value={uri} label="QR code for your authenticator app" />);
    const svg = screen.getByRole('img', { name: 'QR code for your authenticator app' });
    const [, , width, height] = svg.getAttribute('viewBox')!.split(' ').map(Number);
    expect(width).toBe(height);
    const border = 2;
    const size = width! - 2 * border;
    expect((size - 21) % 4).toBe(0);

    const dark = darkModules(svg);
    // a finder pattern: a dark 7×7 ring, a light ring, a dark 3×3 centre
    const finderAt = (left: number, top: number) => {
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 7; x++) {
          const ring = x === 0 || y === 0 || x === 6 || y === 6;
          const centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
          expect(dark.has(`${left + x},${top + y}`), `module ${x},${y}`).toBe(ring || centre);
        }
      }
    };
    finderAt(border, border);
    finderAt(border + size - 7, border);
    finderAt(border, border + size - 7);
    // nothing dark in the quiet zone
    for (const key of dark) {
      const [x, y] = key.split(',').map(Number);
      expect(x! >= border && y! >= border && x! < border + size && y! < border + size).toBe(true);
    }
  });
});
