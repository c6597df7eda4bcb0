import type { PlanEvent } from "./planner";

/**
 * Progress on a terminal: one status line, redrawn in place, naming the stacks being planned.
 * Off a terminal (CI logs, pipes) nothing is drawn: the command's summary says it all, and
 * carriage-return animations make unreadable logs.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): boolean;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Progress {
  private readonly running = new Set<string>();
  private done = 0;
  private failed = 0;
  private frame = 0;
  private timer?: NodeJS.Timeout;
  private readonly started = Date.now();

  constructor(
    private readonly out: ProgressStream,
    private readonly total: number,
  ) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  onEvent = (e: PlanEvent): void => {
    if (e.kind === "start") this.running.add(e.stack);
    else {
      this.running.delete(e.stack);
      if (e.kind === "done") this.done++;
      else this.failed++;
    }
    if (!this.enabled) return;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
    this.draw();
  };

  /** The status line (exported for tests). */
  line(): string {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const running = [...this.running].join(", ") || "…";
    const failed = this.failed > 0 ? `, ${this.failed} failed` : "";
    return `${FRAMES[this.frame % FRAMES.length]} planning ${running}  (${this.done}/${this.total} done${failed}, ${secs} s)`;
  }

  private draw(): void {
    this.frame++;
    this.out.write(`\r\x1b[2K${this.line()}`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled) this.out.write("\r\x1b[2K");
  }
}
