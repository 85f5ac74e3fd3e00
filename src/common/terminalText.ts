// Log text from a container or a pod, written to a terminal: whoever controls the workload
// controls those bytes. Colours (SGR) are kept; everything else a terminal would act on is
// dropped: OSC sequences (hyperlinks that hide their target, window titles, clipboard
// writes), cursor and screen control, device strings, and other control characters. A
// sequence split across chunks is handled: the state carries over. Linear, no editor API.

type State = 'text' | 'esc' | 'csi' | 'string' | 'stringEsc';

export class TerminalSanitizer {
  private state: State = 'text';
  private params = '';

  push(chunk: string): string {
    let out = '';
    for (const ch of chunk) {
      const code = ch.codePointAt(0)!;
      switch (this.state) {
        case 'text':
          if (code === 0x1b) this.state = 'esc';
          else if (code === 0x9b) this.enterCsi();
          else if (code === 0x9d || code === 0x90 || code === 0x9e || code === 0x9f || code === 0x98) this.state = 'string';
          else if (ch === '\n' || ch === '\r' || ch === '\t' || (code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0))) out += ch;
          break;
        case 'esc':
          if (ch === '[') this.enterCsi();
          // OSC, DCS, SOS, PM, APC: a string up to BEL or ST, all of it dropped.
          else if (ch === ']' || ch === 'P' || ch === 'X' || ch === '^' || ch === '_') this.state = 'string';
          else this.state = 'text'; // a two-character escape (ESC c resets the terminal): dropped
          break;
        case 'csi':
          if (code >= 0x40 && code <= 0x7e) {
            // Only colours and text attributes survive.
            if (ch === 'm' && /^[0-9;:]*$/.test(this.params) && this.params.length <= 64) out += `\x1b[${this.params}m`;
            this.state = 'text';
          } else if (this.params.length < 256) this.params += ch;
          break;
        case 'string':
          if (code === 0x07 || code === 0x9c) this.state = 'text';
          else if (code === 0x1b) this.state = 'stringEsc';
          break;
        case 'stringEsc':
          this.state = ch === '\\' ? 'text' : 'string';
          break;
      }
    }
    return out;
  }

  private enterCsi(): void {
    this.state = 'csi';
    this.params = '';
  }
}
