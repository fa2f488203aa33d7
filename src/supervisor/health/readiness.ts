// Readiness: projects resolved and the Temporal worker polling, and not shutting down.

export interface ReadinessState {
  ready: boolean;
  projects_resolved: boolean;
  worker_polling: boolean;
  shutting_down: boolean;
}

export class Readiness {
  private projectsResolved = false;
  private workerPolling = false;
  private shuttingDown = false;

  markProjectsResolved(): void {
    this.projectsResolved = true;
  }

  markWorkerPolling(polling: boolean): void {
    this.workerPolling = polling;
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get state(): ReadinessState {
    return {
      ready: this.projectsResolved && this.workerPolling && !this.shuttingDown,
      projects_resolved: this.projectsResolved,
      worker_polling: this.workerPolling,
      shutting_down: this.shuttingDown,
    };
  }
}
