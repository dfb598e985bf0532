/**
 * Dead letters of the simulated cluster: one list shared by every node, as a stream of dead
 * letters would be. `put` is a request like any other, so it interleaves and a crashed
 * node's letters are refused.
 */
import { NodeStoppedError } from '../../runtime/errors.ts';
import type { DeadLetter, DeadLetterSink } from '../../runtime/types.ts';
import type { MemoryNode } from './node.ts';

export class MemoryDeadLetters {
  private readonly letters: DeadLetter[] = [];

  /** Every dead letter so far, in the order they were stored. */
  list(): readonly DeadLetter[] {
    return this.letters;
  }

  /** The `DeadLetterSink` a node's session exposes. */
  view(node: MemoryNode): DeadLetterSink {
    const gone = () => new NodeStoppedError(node.id);
    return {
      put: (letter) => {
        const copy: DeadLetter = { ...letter, data: letter.data.slice() };
        return node.rpc(`dead-letter p${letter.partition} s${letter.seq}`, gone, () => {
          this.letters.push(copy);
        });
      },
      list: () => node.rpc('dead-letters', gone, () => [...this.letters]),
    };
  }
}
