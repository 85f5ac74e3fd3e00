// Run names and params come from whoever logged the run; the one webview place that takes
// HTML (the Compare scatter's tooltip formatter) gets them escaped. Every other webview
// writes text with textContent.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tooltipHtml } from '../../../webviews/common/html';

describe('hostile text in webviews', () => {
  it('a run named <img onerror> is text in the tooltip', () => {
    const html = tooltipHtml(['<img src=x onerror="fetch(`//evil`)">', "C: '1'&<b>", 'accuracy: 0.9']);
    assert.equal(html, '&lt;img src=x onerror=&quot;fetch(`//evil`)&quot;&gt;<br>C: &#39;1&#39;&amp;&lt;b&gt;<br>accuracy: 0.9');
  });

  it('no webview writes innerHTML or outerHTML, or calls insertAdjacentHTML or document.write', () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'webviews');
    const offenders: string[] = [];
    for (const sub of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(path.join(dir, sub.name)).filter((n) => n.endsWith('.ts'))) {
        const text = readFileSync(path.join(dir, sub.name, f), 'utf8');
        if (/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/.test(text)) offenders.push(`${sub.name}/${f}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
