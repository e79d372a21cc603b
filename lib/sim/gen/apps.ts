/** The applications the generated cluster runs in its app namespaces. */
import type { Ids } from './ids';
import { container, podTemplates, type Templates } from './templates';

export interface App {
  name: string;
  image: string;
  port: number;
  /** Shells in the image when not bash and sh: alpine/busybox have only sh, distroless none. */
  shells?: string;
  cpu: [request: string, limit: string];
  memory: [request: string, limit: string];
}

export const APPS: readonly App[] = [
  { name: 'web', image: 'nginx:1.27.3', port: 80, cpu: ['50m', '200m'], memory: ['64Mi', '128Mi'] },
  { name: 'api', image: 'ghcr.io/kore-demo/api:2.14.1', port: 8080, cpu: ['250m', '1'], memory: ['256Mi', '512Mi'] },
  {
    name: 'checkout',
    image: 'ghcr.io/kore-demo/checkout:1.9.0',
    port: 8080,
    cpu: ['100m', '500m'],
    memory: ['128Mi', '256Mi'],
  },
  {
    name: 'cart',
    image: 'redis:7.4.1-alpine',
    port: 6379,
    shells: 'sh',
    cpu: ['100m', '250m'],
    memory: ['128Mi', '256Mi'],
  },
  {
    name: 'catalog',
    image: 'ghcr.io/kore-demo/catalog:3.2.7',
    port: 8080,
    cpu: ['200m', '1'],
    memory: ['256Mi', '1Gi'],
  },
  {
    name: 'payments',
    image: 'gcr.io/distroless/static-debian12:nonroot',
    port: 8443,
    shells: '',
    cpu: ['100m', '500m'],
    memory: ['64Mi', '128Mi'],
  },
  {
    name: 'orders',
    image: 'ghcr.io/kore-demo/orders:5.0.2',
    port: 8080,
    cpu: ['150m', '750m'],
    memory: ['192Mi', '384Mi'],
  },
  {
    name: 'frontend',
    image: 'node:22.12-alpine',
    port: 3000,
    shells: 'sh',
    cpu: ['100m', '500m'],
    memory: ['128Mi', '512Mi'],
  },
  { name: 'gateway', image: 'envoyproxy/envoy:v1.32.3', port: 10000, cpu: ['250m', '1'], memory: ['128Mi', '256Mi'] },
  { name: 'search', image: 'ghcr.io/kore-demo/search:0.18.4', port: 9200, cpu: ['500m', '2'], memory: ['1Gi', '2Gi'] },
  {
    name: 'auth',
    image: 'ghcr.io/kore-demo/auth:1.3.0',
    port: 8080,
    cpu: ['100m', '500m'],
    memory: ['128Mi', '256Mi'],
  },
  { name: 'notifications', image: 'python:3.12-slim', port: 8000, cpu: ['50m', '250m'], memory: ['128Mi', '256Mi'] },
  {
    name: 'inventory',
    image: 'ghcr.io/kore-demo/inventory:2.0.9',
    port: 8080,
    cpu: ['100m', '500m'],
    memory: ['256Mi', '512Mi'],
  },
  {
    name: 'metrics-proxy',
    image: 'busybox:1.37',
    port: 9100,
    shells: 'sh',
    cpu: ['10m', '50m'],
    memory: ['16Mi', '32Mi'],
  },
  { name: 'worker', image: 'ghcr.io/kore-demo/worker:4.1.1', port: 8080, cpu: ['500m', '2'], memory: ['512Mi', '1Gi'] },
  {
    name: 'recommendations',
    image: 'ghcr.io/kore-demo/recommendations:0.9.3',
    port: 8080,
    cpu: ['250m', '1'],
    memory: ['512Mi', '1Gi'],
  },
];

export const APP_NAMESPACES: readonly string[] = [
  'shop',
  'payments',
  'platform',
  'data',
  'monitoring',
  'search',
  'identity',
  'messaging',
  'analytics',
  'edge',
];

/** The `n`th app namespace: the named ones first, then team-11, team-12, … */
export function appNamespace(n: number): string {
  return APP_NAMESPACES[n] ?? `team-${n + 1}`;
}

/** Templates of one app's pods, configured by `<deployment>-config` and the namespace's `app-secrets`. */
export function appTemplates(
  app: App,
  deployment: string,
  labels: Record<string, string>,
  templateLabels: Record<string, string>,
  ids: Ids,
): Templates {
  return podTemplates(
    {
      containers: [
        container(app.name, app.image, {
          ports: [{ containerPort: app.port, name: 'http', protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'db-password' } } },
          ],
          resources: {
            requests: { cpu: app.cpu[0], memory: app.memory[0] },
            limits: { cpu: app.cpu[1], memory: app.memory[1] },
          },
          readinessProbe: {
            tcpSocket: { port: 'http' },
            initialDelaySeconds: 5,
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          volumeMounts: [{ name: 'config', mountPath: `/etc/${app.name}`, readOnly: true }],
        }),
      ],
      labels,
      templateLabels,
      serviceAccount: 'app',
      volumes: [{ name: 'config', configMap: { name: `${deployment}-config`, defaultMode: 420 } }],
      ...(app.shells === undefined ? {} : { shells: app.shells }),
      imagePullSecrets: ['regcred'],
    },
    ids,
  );
}
