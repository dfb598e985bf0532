/**
 * Undo steps for a command that starts processes and makes temp dirs: registered as things
 * are made, run in reverse order exactly once, whether the command ends normally, throws, or
 * is interrupted (SIGINT/SIGTERM: clean up, then exit 130/143). A failing step is reported
 * and the others still run.
 */

type Step = { readonly what: string; readonly run: () => unknown };

export class Cleanup {
  readonly #steps: Step[] = [];
  #running: Promise<void> | undefined;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: cleaning up...`);
    void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  constructor() {
    process.once('SIGINT', this.#onSignal);
    process.once('SIGTERM', this.#onSignal);
  }

  /** Registers an undo step; steps run last-registered first. */
  add(what: string, run: () => unknown): void {
    this.#steps.push({ what, run });
  }

  run(): Promise<void> {
    return (this.#running ??= (async () => {
      process.off('SIGINT', this.#onSignal);
      process.off('SIGTERM', this.#onSignal);
      for (const step of this.#steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(`cleanup: ${step.what} failed: ${(error as Error).message}`);
        }
      }
    })());
  }
}
