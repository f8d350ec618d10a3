import { createInterface } from 'node:readline';

/**
 * Ask for a secret on the terminal without echoing it (a PIN). Resolves to null when the
 * holder presses Ctrl-D or gives an empty answer (refuse / cancel).
 */
export function askSecret(question: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    let muted = false;
    // readline echoes through _writeToOutput; replace the echo of typed characters with nothing.
    const internals = rl as unknown as { _writeToOutput: (text: string) => void };
    const write = internals._writeToOutput.bind(rl);
    internals._writeToOutput = (text: string) => {
      if (!muted || text.includes('\n')) write(text);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer.trim() === '' ? null : answer.trim());
    });
    muted = true;
    rl.on('close', () => resolve(null));
  });
}
