const WEIGHTS_1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1] as const;
const WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3] as const;

function weightedMod11(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  return sum % 11;
}

/**
 * The check digit of an identification code (EVS 585): weights 1..9,1 mod 11; when the
 * remainder is 10, weights 3..9,1,2,3 mod 11; when that is 10 too, the digit is 0.
 * `first10` must be ten ASCII digits.
 */
export function checkDigit(first10: string): number {
  const first = weightedMod11(first10, WEIGHTS_1);
  if (first < 10) return first;
  const second = weightedMod11(first10, WEIGHTS_2);
  return second < 10 ? second : 0;
}
