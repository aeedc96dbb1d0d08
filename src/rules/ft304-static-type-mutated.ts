import { globalModel, related } from './_globals.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT304',
    name: 'static-type-mutated',
    title: 'Static type object modified after PyType_Ready or at run time',
    family: 'FT3',
    severity: 'warning',
    why:
      'A static `PyTypeObject` is shared by every thread (and every interpreter). Filling its slots before `PyType_Ready` in module init is fine; ' +
      'assigning fields after `PyType_Ready`, or from code that runs while the module is in use, races with threads reading the type and bypasses ' +
      'the type cache invalidation. Finish setting the type up before `PyType_Ready`, or better, make it a heap type with ' +
      '`PyType_FromModuleAndSpec` stored in module state.\n\nQuiet for field assignments in module init before `PyType_Ready` on that type.',
    bad: 'if (PyType_Ready(&SpamType) < 0) return NULL;\nSpamType.tp_doc = "spam objects";',
    good: 'SpamType.tp_doc = "spam objects";\nif (PyType_Ready(&SpamType) < 0) return NULL;\n/* better: PyType_FromModuleAndSpec(module, &spam_spec, NULL) */',
    remedy: {
      api: 'PyType_FromModuleAndSpec',
      since: '3.9',
      compat: null,
      snippet: 'PyObject *type = PyType_FromModuleAndSpec(module, &spam_spec, NULL);  /* heap type, per module */\nif (type == NULL) return -1;\nstate->SpamType = (PyTypeObject *)type;',
    },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/type.html#c.PyType_FromModuleAndSpec', 'https://docs.python.org/3/howto/isolating-extensions.html'],
  },
  check(ctx) {
    for (const g of globalModel(ctx.files).globals) {
      if (g.v.kind !== 'type') continue;
      const bad = [...g.init.filter((w) => w.afterReady), ...g.runtime].filter((w) => w.kind === 'field' && w.protectedBy === null && !w.ftConditional);
      const first = bad[0];
      if (!first) continue;
      const when = g.runtime.includes(first) ? `at run time in ${first.fn}()` : `after PyType_Ready in ${first.fn}()`;
      ctx.report(first.file, {
        line: first.pos.line,
        column: first.pos.column,
        endLine: first.endPos.line,
        endColumn: first.endPos.column,
        lineText: first.lineText,
        message: `static type '${g.v.name}' is modified ${when}: other threads may be using the type`,
        related: related(bad, 1, 'also modified'),
      });
    }
  },
});
