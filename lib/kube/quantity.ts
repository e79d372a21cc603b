/**
 * Kubernetes resource quantities (`250m`, `1.5Gi`, `128974848`, `1e3`, `129e6`): parsing to a plain number
 * in base units (cores, bytes) and formatting in a chosen suffix, the way metrics and resource fields carry them.
 */
import { StatusError } from '../errors';

const DECIMAL_EXPONENTS = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 } as const;
const BINARY_EXPONENTS = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 } as const;

export type DecimalSuffix = keyof typeof DECIMAL_EXPONENTS;
export type BinarySuffix = keyof typeof BINARY_EXPONENTS;
export type QuantitySuffix = DecimalSuffix | BinarySuffix;

// Suffixes are tried before the exponent form, so "1E" is an exa and "1E3" is a thousand.
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?[0-9]+))?$/;

/** The API server's own wording for a malformed quantity. */
const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/**
 * The value of a quantity in base units: cores for cpu, bytes for memory. JSON numbers are accepted as
 * written. A malformed quantity throws a 400 BadRequest StatusError.
 */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') {
    if (Number.isFinite(quantity)) return quantity;
    throw new StatusError('BadRequest', `${QUANTITY_FORMAT_MESSAGE}: ${String(quantity)}`);
  }
  const match = QUANTITY.exec(quantity.trim());
  if (match === null) throw new StatusError('BadRequest', `${QUANTITY_FORMAT_MESSAGE}: ${JSON.stringify(quantity)}`);
  const [, mantissa = '0', suffix, exponent] = match;
  if (suffix !== undefined && suffix in BINARY_EXPONENTS) {
    return Number(mantissa) * 2 ** BINARY_EXPONENTS[suffix as BinarySuffix];
  }
  const power = exponent !== undefined ? Number(exponent) : DECIMAL_EXPONENTS[(suffix ?? '') as DecimalSuffix];
  // Going through the decimal string keeps "100m" exactly 0.1 rather than 100 * 0.001.
  return Number(`${mantissa}e${power}`);
}

/** A quantity written as an integer count of `suffix` units (`formatQuantity(0.25, 'm')` is `"250m"`). */
export function formatQuantity(value: number, suffix: QuantitySuffix): string {
  const scaled =
    suffix in BINARY_EXPONENTS
      ? value / 2 ** BINARY_EXPONENTS[suffix as BinarySuffix]
      : value * 10 ** -DECIMAL_EXPONENTS[suffix as DecimalSuffix];
  // Rounding also absorbs the float error of the scaling (0.29 * 1e3 is 289.99999999999994).
  return `${Math.round(scaled)}${suffix}`;
}
