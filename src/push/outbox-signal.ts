import { Injectable } from '@nestjs/common';

/**
 * "Rows were committed, drain soon": the writer rings it after a commit, the worker listens. Lets the worker
 * use the writer (to expand fanout rows) without the two depending on each other.
 */
@Injectable()
export class OutboxSignal {
  private listener: (() => void) | null = null;

  listen(listener: () => void): void {
    this.listener = listener;
  }

  ring(): void {
    this.listener?.();
  }
}
