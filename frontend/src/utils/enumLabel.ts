// Lookups in the label maps that each feature keeps in its labels.ts (features/*/labels.ts).
// The maps are typed Record<Enum, string>, so a new enum value in the OpenAPI document fails the
// type-check until it gets a label; these take the plain strings the API sends and fall back to
// the code itself (or 'info' for a tag) for a value the map does not know, without reaching into
// Object.prototype for a key such as "constructor".

/** Element Plus tag types. */
export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

function has(map: object, key: string | null | undefined): key is string {
  return key != null && Object.prototype.hasOwnProperty.call(map, key)
}

export function labelOf(map: Readonly<Record<string, string>>, key: string | null | undefined, fallback: string = key ?? ''): string {
  return has(map, key) ? map[key]! : fallback
}

export function tagOf(map: Readonly<Record<string, TagType>>, key: string | null | undefined, fallback: TagType = 'info'): TagType {
  return has(map, key) ? map[key]! : fallback
}
