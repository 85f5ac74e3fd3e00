/** Text shown in a MarkdownString (tooltips) as it is: Markdown's special characters escaped. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
