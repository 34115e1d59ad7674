export const LATIN_ALLOW: Set<string>
export function latinWords(text: string | null | undefined, allow?: Set<string>): string[]
