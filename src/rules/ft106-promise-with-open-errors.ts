import { moduleFiles, moduleOwners } from './_modules.js';
import { defineProjectRule } from './types.js';

const MAX_RELATED = 50;

export default defineProjectRule({
  meta: {
    id: 'FT106',
    name: 'gil-not-used-with-open-errors',
    title: 'Module declares Py_MOD_GIL_NOT_USED while error-level findings remain in its sources',
    family: 'FT1',
    severity: 'error',
    why:
      '`Py_MOD_GIL_NOT_USED` is a promise that the module is safe without the GIL; free-threaded Python then runs it concurrently. Error-level ' +
      'findings in the module\'s sources (lock leaks, borrowed references from weak references, …) break that promise; declaration problems (FT1xx) are not counted, they are reported where they are. The finding sits ' +
      'on the declaration, with each open error as a related location. Fix the errors, or declare `Py_MOD_GIL_USED` until they are fixed.',
    bad: '/* spam.c has an error-level finding elsewhere */\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},',
    good: '/* after fixing the error-level findings in spam.c */\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},',
    remedy: {
      api: 'Py_MOD_GIL_USED',
      since: '3.13',
      compat: null,
      snippet: '{Py_mod_gil, Py_MOD_GIL_USED},  /* until the open errors are fixed */',
    },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html'],
    limitations:
      'Which files make up a module is inferred: a file that defines a module is its own; other files belong to the module defined in their ' +
      'closest directory when only one file there defines one; ambiguous files are not counted.',
  },
  after: 'file-findings',
  check(ctx) {
    const mods = moduleFiles(ctx.files);
    const decls: { path: string; line: number; column: number; what: string }[] = [];
    for (const m of mods) {
      for (const arr of m.facts.slotArrays) {
        for (const e of arr.entries) {
          if (e.slot === 'Py_mod_gil' && e.value === 'Py_MOD_GIL_NOT_USED')
            decls.push({ path: m.path, line: e.pos.line, column: e.pos.column, what: `slot array '${arr.name}'` });
        }
      }
      for (const s of m.facts.setGils) {
        if (s.value === 'Py_MOD_GIL_NOT_USED') decls.push({ path: m.path, line: s.pos.line, column: s.pos.column, what: `${s.fn}()` });
      }
    }
    if (decls.length === 0) return;
    // Declaration problems (FT1xx) are reported at the declaration already; the promise is about thread safety.
    const errors = ctx.findings.filter((f) => f.severity === 'error' && !f.rule.startsWith('FT1'));
    const allPaths = [...new Set(ctx.files.map((f) => f.path))];
    // Every file that defines a module competes for ownership, declared free-threading-safe or not.
    const moduleFilePaths = mods.filter((m) => m.facts.slotArrays.length > 0 || m.facts.moduleDefs.length > 0 || m.facts.creates.length > 0).map((m) => m.path);
    const owners = moduleOwners([...moduleFilePaths, ...decls.map((d) => d.path)], allPaths);
    const errorsByOwner = new Map<string, typeof errors>();
    for (const f of errors) {
      const o = owners.get(f.path);
      if (o !== undefined) errorsByOwner.set(o, [...(errorsByOwner.get(o) ?? []), f]);
    }
    for (const d of decls) {
      const open = errorsByOwner.get(d.path) ?? [];
      if (open.length === 0) continue;
      ctx.report(d.path, {
        line: d.line,
        column: d.column,
        message: `${d.what} declares Py_MOD_GIL_NOT_USED, but ${open.length} error-level finding${open.length === 1 ? '' : 's'} remain${open.length === 1 ? 's' : ''} in this module's sources`,
        related: open.slice(0, MAX_RELATED).map((f) => ({ path: f.path, line: f.range.start.line, column: f.range.start.column, message: `${f.rule}: ${f.message}` })),
      });
    }
  },
});
