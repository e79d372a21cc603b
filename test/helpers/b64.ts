/** Base64 of a string, as kubeconfig `*-data` fields hold certificates and keys. */
export const b64 = (s: string): string => Buffer.from(s).toString('base64');
