/** A literal prefix as a regular expression: search text from a request is never a pattern. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export const literalPrefix = (text: string): RegExp => new RegExp(`^${escapeRegExp(text)}`);
