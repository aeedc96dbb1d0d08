// C++ standard library members that change a container (or smart pointer) in place, and those that only read it.
// One list for every rule that judges C++ state (globals.ts, objects.ts).

export const CXX_MUTATING_MEMBERS = [
  'insert', 'insert_or_assign', 'emplace', 'emplace_hint', 'emplace_back', 'emplace_front', 'try_emplace', 'erase', 'clear',
  'push_back', 'push_front', 'pop_back', 'pop_front', 'swap', 'resize', 'assign', 'merge', 'extract', 'splice', 'remove',
  'remove_if', 'unique', 'sort', 'reverse', 'push', 'pop', 'reserve', 'rehash', 'shrink_to_fit',
] as const;

/** Smart pointers change what they own through these. */
export const CXX_OWNER_MEMBERS = ['reset', 'release'] as const;

export const CXX_READING_MEMBERS = [
  'find', 'count', 'contains', 'at', 'begin', 'end', 'cbegin', 'cend', 'size', 'empty', 'lower_bound', 'upper_bound', 'equal_range', 'front', 'back',
] as const;
