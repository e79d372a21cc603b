/** The three patch flavours the simulated API server accepts; pure functions over parsed JSON. */
export { applyMergePatch } from './merge-patch';
export {
  applyJsonPatch,
  JSON_PATCH_FAILED_MESSAGE,
  MAX_JSON_PATCH_OPERATIONS,
  type JsonPatchOperation,
} from './json-patch';
export { applyStrategicMergePatch } from './strategic-merge-patch';
export { kindSchema, structSchema, type FieldStrategy, type StructName, type StructSchema } from './strategic-schema';
