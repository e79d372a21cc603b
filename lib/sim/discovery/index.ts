/** The reference discovery documents, imported statically so esbuild bundles them. */
import aggregatedV2 from './aggregated_v2.json';
import coreVersions from './api.json';
import coreV1 from './api__v1.json';
import gv0 from './apis__admissionregistration.k8s.io__v1.json';
import gv1 from './apis__apiextensions.k8s.io__v1.json';
import gv2 from './apis__apiregistration.k8s.io__v1.json';
import gv3 from './apis__apps__v1.json';
import gv4 from './apis__authentication.k8s.io__v1.json';
import gv5 from './apis__authorization.k8s.io__v1.json';
import gv6 from './apis__autoscaling__v1.json';
import gv7 from './apis__autoscaling__v2.json';
import gv8 from './apis__batch__v1.json';
import gv9 from './apis__certificates.k8s.io__v1.json';
import gv10 from './apis__coordination.k8s.io__v1.json';
import gv11 from './apis__discovery.k8s.io__v1.json';
import gv12 from './apis__events.k8s.io__v1.json';
import gv13 from './apis__flowcontrol.apiserver.k8s.io__v1.json';
import gv14 from './apis__networking.k8s.io__v1.json';
import gv15 from './apis__node.k8s.io__v1.json';
import gv16 from './apis__policy__v1.json';
import gv17 from './apis__rbac.authorization.k8s.io__v1.json';
import gv18 from './apis__scheduling.k8s.io__v1.json';
import gv19 from './apis__storage.k8s.io__v1.json';

export { aggregatedV2, coreVersions, coreV1 };

/** Legacy APIResourceList documents of the stable non-core group/versions, by `group/version`. */
export const groupVersionLists: Record<string, unknown> = {
  'admissionregistration.k8s.io/v1': gv0,
  'apiextensions.k8s.io/v1': gv1,
  'apiregistration.k8s.io/v1': gv2,
  'apps/v1': gv3,
  'authentication.k8s.io/v1': gv4,
  'authorization.k8s.io/v1': gv5,
  'autoscaling/v1': gv6,
  'autoscaling/v2': gv7,
  'batch/v1': gv8,
  'certificates.k8s.io/v1': gv9,
  'coordination.k8s.io/v1': gv10,
  'discovery.k8s.io/v1': gv11,
  'events.k8s.io/v1': gv12,
  'flowcontrol.apiserver.k8s.io/v1': gv13,
  'networking.k8s.io/v1': gv14,
  'node.k8s.io/v1': gv15,
  'policy/v1': gv16,
  'rbac.authorization.k8s.io/v1': gv17,
  'scheduling.k8s.io/v1': gv18,
  'storage.k8s.io/v1': gv19,
};
