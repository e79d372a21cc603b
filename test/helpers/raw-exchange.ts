import type { Duplex } from 'node:stream';

export type Dial = () => Duplex;

/** Writes raw bytes, reads until the peer closes; resolves with the status code and the parsed body. */
export function exchange(dial: Dial, bytes: string): Promise<{ code: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = dial();
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      try {
        resolve({ code, body: JSON.parse(body) as unknown });
      } catch {
        resolve({ code, body });
      }
    });
    socket.write(bytes);
  });
}
