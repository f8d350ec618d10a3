import { authComponent } from './auth.js';
import { caComponent } from './ca.js';
import { tsaComponent } from './tsa.js';
import type { Component } from './types.js';
import { centralServerComponent, rrComponent, securityServersComponent } from './xroad.js';

export type * from './types.js';

/**
 * The components of the e-state, in start order (later ones may depend on earlier ones being
 * healthy). Each component lives in its own file next to this one; a new service adds its
 * component to this list.
 */
export const COMPONENTS: Component[] = [
  caComponent,
  tsaComponent,
  authComponent,
  centralServerComponent,
  rrComponent,
  securityServersComponent,
];

export { serviceByName } from './services.js';
