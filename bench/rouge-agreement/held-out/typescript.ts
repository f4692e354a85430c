import { EventEmitter } from "events";

// A queue that runs at most `limit` jobs at once.
export type Job<T> = () => Promise<T>;

interface Stats {
  running: number;
  queued: number;
  done?: number;
}

export class JobQueue<T = unknown> extends EventEmitter {
  private readonly pending: Array<Job<T>> = [];
  private running = 0;
  public done = 0;

  constructor(public readonly limit: number = 4) {
    super();
    if (limit < 1) throw new RangeError(`limit must be at least 1, not ${limit}`);
  }

  push(job: Job<T>): this {
    this.pending.push(job);
    void this.next();
    return this;
  }

  stats(): Stats {
    return { running: this.running, queued: this.pending.length, done: this.done };
  }

  private async next(): Promise<void> {
    if (this.running >= this.limit) {
      return;
    }
    const job = this.pending.shift();
    if (job === undefined) {
      if (this.running === 0) this.emit("idle");
      return;
    }
    this.running++;
    try {
      const value = await job();
      this.emit("result", value);
    } catch (error) {
      this.emit("failure", error instanceof Error ? error.message : String(error));
    } finally {
      this.running--;
      this.done += 1;
      void this.next();
    }
  }
}

const queue = new JobQueue<number>(2);
for (let i = 0; i < 5; i++) {
  queue.push(async () => i * 2);
}
queue.on("idle", () => console.log("all done:", queue.stats()));
