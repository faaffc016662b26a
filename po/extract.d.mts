/** msgid -> first file that uses it. */
export function extractMessages(root?: string): Map<string, string>;
