import { isPrimaryMessage, type PrimaryMessage, type WorkerMessage } from './protocol';

/** Sends a message to the supervising process (a worker's only parent). */
export function tellPrimary(message: WorkerMessage): void {
  process.send?.(message);
}

/** Asks the supervisor for this worker's set-up and waits for the answer. */
export function setupFromPrimary(): Promise<PrimaryMessage> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isPrimaryMessage(message)) return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    tellPrimary({ type: 'kore:hello' });
  });
}
