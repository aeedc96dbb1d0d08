// Where ftlint's documentation lives online (SARIF `informationUri` / `helpUri`, Markdown links).
// One constant so that a move of the repository is a one-line change.
export const HOMEPAGE = 'https://github.com/ftlint/ftlint';

export function ruleDocUrl(id: string): string {
  return `${HOMEPAGE}/blob/main/docs/rules/${id}.md`;
}
