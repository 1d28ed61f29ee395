import { parseCidr } from '../ip-address.js';
import type { Modifier } from './modifier.js';

/** `cidr`: the value is an IPv4 or IPv6 network; the field an address inside it. */
export const cidr: Modifier = (state) => {
  for (const v of state.values) {
    if (v.type !== 'string') return 'modifier cidr needs string values';
    if (!parseCidr(v.s.raw)) return `invalid CIDR network '${v.s.raw}'`;
  }
  state.kind = 'cidr';
  return undefined;
};
