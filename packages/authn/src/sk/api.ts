import { z } from 'zod';

/**
 * The relying-party API of riik's simulated SK ID Solutions service, modelled on SK's Smart-ID
 * RP API v2 and Mobile-ID REST API (session start, then long-polled session status), plus the
 * device API the simulated phone apps use (SK's own app protocol is not public, so that part is
 * riik's). Shared by the service, the login service that calls it and the apps.
 */

const base64 = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 expected');

export const HASH_TYPES = { SHA256: 32, SHA384: 48, SHA512: 64 } as const;
export type HashType = keyof typeof HASH_TYPES;
const hashType = z.enum(['SHA256', 'SHA384', 'SHA512']);

const relyingParty = {
  relyingPartyUUID: z.string().uuid(),
  relyingPartyName: z.string().min(1).max(100),
};

/** Smart-ID: POST /smart-id/v2/authentication/etsi/:semanticsIdentifier */
export const smartIdAuthenticationRequest = z.object({
  ...relyingParty,
  certificateLevel: z.enum(['QUALIFIED', 'ADVANCED']).default('QUALIFIED'),
  hash: base64,
  hashType,
  allowedInteractionsOrder: z
    .array(z.object({ type: z.literal('displayTextAndPIN'), displayText60: z.string().max(60).optional() }))
    .min(1)
    .max(4)
    .default([{ type: 'displayTextAndPIN' }]),
});
export type SmartIdAuthenticationRequest = z.input<typeof smartIdAuthenticationRequest>;

/** Mobile-ID: POST /mid-api/authentication */
export const mobileIdAuthenticationRequest = z.object({
  ...relyingParty,
  phoneNumber: z.string().regex(/^\+[0-9]{7,15}$/, 'phone number in international format (+372...)'),
  nationalIdentityNumber: z.string().regex(/^[0-9]{11}$/),
  hash: base64,
  hashType,
  language: z.enum(['EST', 'ENG', 'RUS', 'LIT']).default('EST'),
  displayText: z.string().max(200).optional(),
});
export type MobileIdAuthenticationRequest = z.input<typeof mobileIdAuthenticationRequest>;

export const sessionStarted = z.object({ sessionID: z.string() });

/** How a Smart-ID session ended (SK's endResult values riik produces). */
export const SMART_ID_END_RESULTS = [
  'OK',
  'USER_REFUSED',
  'TIMEOUT',
  'DOCUMENT_UNUSABLE',
  'WRONG_VC',
] as const;
export type SmartIdEndResult = (typeof SMART_ID_END_RESULTS)[number];

/** How a Mobile-ID session ended (SK's result values riik produces). */
export const MOBILE_ID_RESULTS = [
  'OK',
  'TIMEOUT',
  'NOT_MID_CLIENT',
  'USER_CANCELLED',
  'SIGNATURE_HASH_MISMATCH',
  'PHONE_ABSENT',
  'SIM_ERROR',
] as const;
export type MobileIdResult = (typeof MOBILE_ID_RESULTS)[number];

/** Smart-ID: GET /smart-id/v2/session/:sessionId?timeoutMs= */
export const smartIdSessionStatus = z.object({
  state: z.enum(['RUNNING', 'COMPLETE']),
  result: z
    .object({ endResult: z.enum(SMART_ID_END_RESULTS), documentNumber: z.string().optional() })
    .optional(),
  signature: z.object({ value: base64, algorithm: z.string() }).optional(),
  cert: z.object({ value: base64.max(8192), certificateLevel: z.string() }).optional(),
  interactionFlowUsed: z.string().optional(),
});
export type SmartIdSessionStatus = z.infer<typeof smartIdSessionStatus>;

/** Mobile-ID: GET /mid-api/authentication/session/:sessionId?timeoutMs= */
export const mobileIdSessionStatus = z.object({
  state: z.enum(['RUNNING', 'COMPLETE']),
  result: z.enum(MOBILE_ID_RESULTS).optional(),
  signature: z.object({ value: base64, algorithm: z.string() }).optional(),
  cert: base64.max(8192).optional(),
});
export type MobileIdSessionStatus = z.infer<typeof mobileIdSessionStatus>;

/** Signature algorithm names as SK reports them for EC keys. */
export const SIGNATURE_ALGORITHM: Record<HashType, string> = {
  SHA256: 'SHA256WithECEncryption',
  SHA384: 'SHA384WithECEncryption',
  SHA512: 'SHA512WithECEncryption',
};

// ---- device API (riik's own) -------------------------------------------------------------

export type DeviceKind = 'smart-id' | 'mobile-id';

/**
 * POST /device/register: the app proves it holds the key of `certificate` by signing
 * SHA-384 of `registrationMessage(...)`.
 */
export const deviceRegistration = z.object({
  kind: z.enum(['smart-id', 'mobile-id']),
  certificate: base64.max(8192),
  phoneNumber: z
    .string()
    .regex(/^\+[0-9]{7,15}$/)
    .optional(),
  time: z.string().datetime(),
  signature: base64,
});
export type DeviceRegistration = z.infer<typeof deviceRegistration>;

export function registrationMessage(r: Omit<DeviceRegistration, 'signature'>): string {
  return `riik-sk-device-registration\n${r.kind}\n${r.certificate}\n${r.phoneNumber ?? ''}\n${r.time}`;
}

export const deviceRegistered = z.object({ deviceId: z.string(), deviceSecret: z.string() });

/** A request waiting on the device: the app computes the verification code from `hash` itself. */
export const deviceRequest = z.object({
  sessionId: z.string(),
  relyingPartyName: z.string(),
  displayText: z.string().optional(),
  hash: base64,
  hashType,
  expiresAt: z.string(),
});
export type DeviceRequest = z.infer<typeof deviceRequest>;
export const deviceRequests = z.object({ requests: z.array(deviceRequest) });

/** POST /device/:id/requests/:sessionId: the signature, or the user's refusal or failure. */
export const deviceAnswer = z.union([
  z.object({ signature: base64 }),
  z.object({ refused: z.literal(true) }),
  z.object({ error: z.enum(['PIN_BLOCKED']) }),
]);
export type DeviceAnswer = z.infer<typeof deviceAnswer>;
