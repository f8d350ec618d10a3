import { randomInt } from 'node:crypto';
import { EidError } from './errors.js';

/** Which secret: PIN1 unlocks the authentication key, PIN2 the signing key, PUK unblocks either. */
export type PinKind = 'pin1' | 'pin2' | 'puk';

/** Lengths as on the Estonian ID-card (PIN1 4-12, PIN2 5-12, PUK 8-12 digits). */
export const PIN_LENGTH: Record<PinKind, [number, number]> = { pin1: [4, 12], pin2: [5, 12], puk: [8, 12] };

/** Wrong attempts before a PIN or the PUK is blocked, as on the card. */
export const MAX_TRIES = 3;

export function checkPinFormat(kind: PinKind, pin: string): void {
  const [min, max] = PIN_LENGTH[kind];
  if (!/^\d+$/.test(pin) || pin.length < min || pin.length > max) {
    throw new EidError('PIN_FORMAT', `${kind.toUpperCase()} must be ${min}-${max} digits`);
  }
}

/** A random PIN of the minimum length, as printed in a PIN envelope. */
export function randomPin(kind: PinKind): string {
  const [min] = PIN_LENGTH[kind];
  let pin = '';
  for (let i = 0; i < min; i++) pin += String(randomInt(10));
  return pin;
}
