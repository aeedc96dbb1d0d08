// A node:test reporter that prints one closing line CI can read: "N passed, N failed".
export default async function* summary(source) {
  let passed = 0, failed = 0, skipped = 0;
  for await (const event of source) {
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite') {
      if (event.data.skip || event.data.todo) skipped++; else passed++;
    } else if (event.type === 'test:fail' && event.data.details?.type !== 'suite') failed++;
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
