/**
 * Time, in one shape: milliseconds since the epoch. Everything that decides by time receives a
 * `Clock` (PortcullisOptions.now), so tests move time instead of sleeping. Lifetimes compared with
 * what oidc-provider stamps on tokens and sessions (`iat`, `exp`) use `systemClock`, because the
 * provider stamps them with the system clock and the two must agree.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const epochSeconds = (clock: Clock = systemClock): number => Math.floor(clock() / 1000);
