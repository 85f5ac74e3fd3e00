// A workload's logs are its author's bytes: in the log terminal they keep their colours and
// lose everything else a terminal acts on (a hyperlink whose text lies about its target, a
// window title, a clipboard write, a screen clear), even when a sequence is split in two.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TerminalSanitizer } from '../../../src/common/terminalText';

const clean = (...chunks: string[]): string => {
  const s = new TerminalSanitizer();
  return chunks.map((c) => s.push(c)).join('');
};

describe('hostile log text in terminals', () => {
  it('keeps colours and plain text, tabs and newlines', () => {
    assert.equal(clean('\x1b[31merror\x1b[0m\tok\r\nnext'), '\x1b[31merror\x1b[0m\tok\r\nnext');
  });
  it('drops an OSC 8 hyperlink, keeping its visible text only', () => {
    assert.equal(clean('see \x1b]8;;https://evil.example\x07the docs\x1b]8;;\x07 now'), 'see the docs now');
    assert.equal(clean('a\x1b]8;;https://evil.example\x1b\\b\x1b]8;;\x1b\\c'), 'abc');
  });
  it('drops a title change, a clipboard write (OSC 52), a screen clear, cursor moves and a reset', () => {
    assert.equal(clean('\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\x1b[2J\x1b[H\x1b[10;10f\x1bcok'), 'ok');
  });
  it('drops C0 and C1 controls, and 8-bit CSI/OSC', () => {
    assert.equal(clean('a\x00\x08\x7fb\u009b2Jc\u009d0;x\u009cd'), 'abcd');
  });
  it('handles a sequence split across chunks', () => {
    assert.equal(clean('x\x1b', ']8;;https://e', 'vil\x07y\x1b[3', '1mz'), 'xy\x1b[31mz');
  });
  it('never lets an ESC, OSC or non-colour CSI through, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('\x1b', '[', ']', '8', ';', 'm', 'H', '\x07', '\\', 'a', '\n', '\u009b', '\u009d', '0', 'P') }), { maxLength: 8 }), (chunks) => {
        const out = clean(...chunks);
        // Every ESC left starts a colour sequence.
        // eslint-disable-next-line no-control-regex
        for (let i = out.indexOf('\x1b'); i >= 0; i = out.indexOf('\x1b', i + 1)) assert.match(out.slice(i), /^\x1b\[[0-9;:]*m/);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(out, /[\u0080-\u009f\x07]/);
      }),
      { numRuns: 2000 },
    );
  });
  it('is linear on 100,000 characters of unterminated sequences', () => {
    const s = new TerminalSanitizer();
    const started = performance.now();
    s.push('\x1b['.repeat(50_000));
    s.push('\x1b]'.repeat(50_000));
    assert.ok(performance.now() - started < 200);
  });
});
