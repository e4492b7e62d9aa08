import type { Logger } from 'pino';
import type { KubeClient } from './api-client.js';
import type { KubeObject } from './objects.js';

export type EventType = 'Normal' | 'Warning';

/**
 * EventRecorder writes core/v1 Events about objects, as `kubectl describe` shows them. Events
 * are best effort: a failure is logged and never fails a reconcile. Callers record transitions,
 * not every reconcile, so Events do not flood etcd.
 */
export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly component = 'bindy',
  ) {}

  record(obj: KubeObject & { apiVersion?: string; kind?: string }, type: EventType, reason: string, message: string): void {
    const namespace = obj.metadata.namespace ?? 'default';
    const now = new Date().toISOString();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${obj.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.component },
      reportingComponent: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.client.create(`/api/v1/namespaces/${namespace}/events`, event).catch((err: unknown) => {
      this.log.debug({ err: (err as Error).message, reason }, 'could not record event');
    });
  }
}
