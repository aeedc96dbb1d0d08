// Grouping into a Map of lists, used wherever findings, files or functions are gathered by a key.

/** Appends `items` to the list `map` holds for `key`, creating it when missing. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, ...items: V[]): void {
  const list = map.get(key);
  if (list) list.push(...items);
  else map.set(key, items);
}
