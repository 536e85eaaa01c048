// A job's checkpoint as the context keeps it: the steps finished, the step under way and its
// place (the pipeline pushes its place here as it moves: place()), and the handler's own small
// data. Pure: the context writes what snapshot() returns with each checkpoint.
import type { PipelineCheckpoint } from "../checkpoint";
import type { ScanMark } from "./progress";

/** A step's saved place: the pipeline checkpoint and the step's own state (e.g. a file offset). */
export interface StepResume {
  checkpoint: PipelineCheckpoint<unknown> | null;
  state: unknown;
}

/** The checkpoint as stored in the job row. */
export interface SavedCheckpoint {
  /** Steps finished, in order. */
  steps: string[];
  step: string | null;
  pipeline: PipelineCheckpoint<unknown> | null;
  state: unknown;
  /** The handler's own small data (a dry run's sample, an import's counts). */
  data: Record<string, unknown>;
  /** How far the source has been counted (see JobProgress.noteScanned); absent in checkpoints of older versions. */
  scan?: ScanMark;
}

export class JobSteps {
  /** The handler's own small data, saved with every checkpoint. */
  readonly data: Record<string, unknown>;
  private readonly saved: Omit<SavedCheckpoint, "scan">;
  /** The scan mark the checkpoint was saved with, if any. */
  readonly savedScan: ScanMark | undefined;

  constructor(raw: Partial<SavedCheckpoint> | null) {
    this.saved = {
      steps: raw?.steps ?? [],
      step: raw?.step ?? null,
      pipeline: raw?.pipeline ?? null,
      state: raw?.state ?? null,
      data: raw?.data ?? {},
    };
    this.data = this.saved.data;
    this.savedScan = raw?.scan;
  }

  /** The step the checkpoint was saved in, and how much of its source was read before its cursor. */
  get current() {
    return { step: this.saved.step, scannedAtCursor: this.saved.pipeline?.scanned };
  }

  isDone(name: string): boolean {
    return this.saved.steps.includes(name);
  }

  /** Enters step `name`: its saved place when an earlier run stopped in it, otherwise null (a fresh start). */
  enter(name: string): StepResume | null {
    if (this.saved.step === name) return { checkpoint: this.saved.pipeline, state: this.saved.state };
    this.saved.step = name;
    this.saved.pipeline = null;
    this.saved.state = null;
    return null;
  }

  /** Where the running step is now; saved with the next checkpoint write. */
  place(place: StepResume) {
    this.saved.pipeline = place.checkpoint;
    this.saved.state = place.state;
  }

  /** The step finished: the next checkpoint says so. */
  finish(name: string) {
    this.saved.steps.push(name);
    this.saved.step = null;
    this.saved.pipeline = null;
    this.saved.state = null;
  }

  /** A copy to write (later changes do not reach a write in flight). */
  snapshot(scan: ScanMark): SavedCheckpoint {
    return { ...this.saved, steps: [...this.saved.steps], data: { ...this.saved.data }, scan };
  }
}
