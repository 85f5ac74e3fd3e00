// Keys from workspace files and servers ("constructor", "__proto__", "toString" as a param,
// a metric or a topic) read only an object's own properties, never what it inherits.
// No editor API.

/** `o[key]` when `o` has it as its own property, else undefined. */
export function own<T>(o: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return o !== undefined && Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
