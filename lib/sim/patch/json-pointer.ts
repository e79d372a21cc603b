/** JSON Pointer (RFC 6901) parsing, the addressing half of JSON Patch. */

export class PointerError extends Error {
  override name = 'PointerError';
}

/** Reference tokens of a pointer: `""` is the whole document, `/a~1b/~0c` is ["a/b", "~c"]. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new PointerError(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new PointerError(`invalid escape in JSON pointer ${JSON.stringify(pointer)}`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** An array index token: digits without leading zeros, below `length` (or equal to it, or `-`, when `allowEnd`). */
export function parseArrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PointerError(`invalid array index ${JSON.stringify(token)}`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new PointerError(`array index ${index} out of bounds (length ${length})`);
  }
  return index;
}
