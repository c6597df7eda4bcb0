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
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get enabled(): boolean {
    return progressEnabled(this.out, this.env);
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

/**
 * Whether to draw progress: on a terminal only, and never under CI (GitHub Actions and most CI
 * systems set CI=true; their logs keep every carriage-return frame).
 */
export function progressEnabled(out: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return out.isTTY === true && (env.CI === undefined || env.CI === "" || env.CI === "false" || env.CI === "0");
}

/**
 * Whether to colour output written to `out`: NO_COLOR (any non-empty value, https://no-color.org)
 * turns it off, FORCE_COLOR turns it on (0 or false: off), otherwise a terminal gets colour.
 */
export function colourEnabled(out: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return out.isTTY === true;
}

/** ANSI styles that collapse to the plain text when colour is off. */
export function palette(on: boolean): { bold(s: string): string; dim(s: string): string; red(s: string): string; yellow(s: string): string; green(s: string): string } {
  const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap(1), dim: wrap(2), red: wrap(31), yellow: wrap(33), green: wrap(32) };
}

/**
 * One status line for a command's slow phases (planning, starting the policy pack): drawn only
 * once the phase has run for half a second, so quick runs print nothing, and erased on stop().
 */
export class Status {
  private text = "";
  private frame = 0;
  private timer?: NodeJS.Timeout;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly out: ProgressStream,
    private readonly prefix: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly delayMs = 500,
  ) {}

  /** The line as drawn (exported for tests). */
  line(): string {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const { dim } = palette(colourEnabled(this.out, this.env));
    return `${FRAMES[this.frame % FRAMES.length]} ${this.prefix}: ${this.text} ${dim(`(${secs} s)`)}`;
  }

  update = (text: string): void => {
    this.text = text;
    if (!progressEnabled(this.out, this.env) || this.timer) return;
    const first = setTimeout(() => {
      this.draw();
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }, this.delayMs);
    first.unref();
    this.timer = first;
  };

  private draw(): void {
    this.frame++;
    this.drawn = true;
    this.out.write(`\r\x1b[2K${this.line()}`);
  }

  stop(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
    }
    this.timer = undefined;
    if (this.drawn) this.out.write("\r\x1b[2K");
    this.drawn = false;
  }
}
