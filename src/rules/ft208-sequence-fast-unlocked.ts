import { CRITICAL_SECTION_REMEDY } from '../data/capi.js';
import { normObject } from '../engine/c-index.js';
import { checkUnlockedIteration, FT2_HELD_NOTE, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT208',
    name: 'sequence-fast-unlocked',
    title: 'PySequence_Fast items read from a list other threads can mutate',
    family: 'FT2',
    severity: 'warning',
    why:
      '`PySequence_Fast` returns a list argument as-is, so `PySequence_Fast_ITEMS`/`PySequence_Fast_GET_ITEM` read the live item array of a list another ' +
      'thread can resize or refill: borrowed items, a possibly reallocated array. Hold a critical section on the original object while you use the items, ' +
      'or copy first with `PySequence_Tuple`.\n\nQuiet inside a critical section on the original or the fast sequence, and when the original was created ' +
      'in this function.' +
      '\n\n' +
      FT2_HELD_NOTE + FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *seq = PySequence_Fast(arg, "expected a sequence");\nPyObject **items = PySequence_Fast_ITEMS(seq);',
    good:
      'PyObject *seq = PySequence_Fast(arg, "expected a sequence");\nPy_BEGIN_CRITICAL_SECTION(arg);\nPyObject **items = PySequence_Fast_ITEMS(seq);\n/* … */\nPy_END_CRITICAL_SECTION();',
    remedy: CRITICAL_SECTION_REMEDY('original'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html', 'Doc/data/refcounts.dat'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkUnlockedIteration(
      ctx,
      ['PySequence_Fast_ITEMS', 'PySequence_Fast_GET_ITEM'],
      (call) => {
        const seq = call.args[0]?.text;
        if (!seq) return [];
        const id = normObject(seq);
        // The original object: `seq = PySequence_Fast(orig, msg)` earlier in this function.
        let orig: string | null = null;
        for (const a of ctx.index.assigns) {
          if (a.fn !== call.fn || a.start >= call.start || a.lhs !== id) continue;
          const m = /^\s*PySequence_Fast\s*\(\s*([^,]+),/.exec(a.rhs);
          orig = m ? (m[1] as string) : null;
          if (!m && /^\s*PySequence_(Tuple|List)\s*\(/.test(a.rhs)) return []; // a private copy
        }
        return orig ? [seq, orig] : [seq];
      },
      (api, s) => `${api}() reads the live items of '${s}', a list another thread can mutate; hold a critical section on it`,
    );
  },
});
