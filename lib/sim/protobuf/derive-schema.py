#!/usr/bin/env python3
"""Derives schema.json (the protobuf field table the simulator decodes request bodies with) from checkouts of
kubernetes/api and kubernetes/apimachinery:

    python3 derive-schema.py PATH/TO/api PATH/TO/apimachinery > schema.json

Per message (short name, e.g. "apps.v1.DeploymentSpec"): [number, jsonName, type, flags] where type is a
scalar name, a message name, or [keyType, valueType] for maps; flags: 1 repeated, 2 inlined into the parent
object (a Go embedded struct), 4 omitted from JSON when zero (a non-pointer `omitempty` Go field).
Only messages reachable from top-level kinds (those with ObjectMeta metadata), runtime.Unknown and DeleteOptions
are kept.
"""
import glob, json, os, re, sys

API, MACHINERY = sys.argv[1], sys.argv[2]
GROUPS = ['core/v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'networking/v1', 'policy/v1', 'rbac/v1',
          'storage/v1', 'scheduling/v1', 'coordination/v1', 'discovery/v1', 'events/v1', 'node/v1', 'certificates/v1',
          'authentication/v1', 'authorization/v1', 'admissionregistration/v1', 'flowcontrol/v1']
PROTOS = [os.path.join(API, g, 'generated.proto') for g in GROUPS] + [
    os.path.join(MACHINERY, p, 'generated.proto') for p in ['pkg/api/resource', 'pkg/apis/meta/v1', 'pkg/runtime', 'pkg/util/intstr']]
GO_TYPES = [os.path.join(API, g, 'types.go') for g in GROUPS] + [os.path.join(MACHINERY, 'pkg/apis/meta/v1/types.go'), os.path.join(MACHINERY, 'pkg/runtime/types.go')]
SCALARS = {'string', 'bytes', 'int32', 'int64', 'bool', 'double', 'float', 'uint32', 'uint64', 'fixed32', 'fixed64', 'sint32', 'sint64', 'sfixed32', 'sfixed64'}

# Go struct fields: which are embedded (JSON inlined) and which are omitted when zero.
inline, omit = set(), set()
for path in GO_TYPES:
    struct = None
    for line in open(path):
        start = re.match(r'^type (\w+) struct', line)
        if start:
            struct = start.group(1)
            continue
        if line.startswith('}'):
            struct = None
            continue
        field = re.match(r'^\t([^`]*)`json:"([^"]*)"[^`]*protobuf:"([^"]*)"', line)
        if not field or not struct:
            continue
        tokens = field.group(1).split()
        # An embedded field without name= is named after its type, first letter lowered.
        named = re.search(r'name=(\w+)', field.group(3))
        proto_name = named.group(1) if named else tokens[-1].split('.')[-1][:1].lower() + tokens[-1].split('.')[-1][1:]
        if len(tokens) == 1 and field.group(2).split(',')[0] == '':
            inline.add((struct, proto_name))
        if ',omitempty' in field.group(2) and tokens and not tokens[-1].startswith('*'):
            omit.add((struct, proto_name))

types = {}
for path in PROTOS:
    text = re.sub(r'//.*', '', open(path).read())
    package = re.search(r'package\s+([\w.]+)\s*;', text).group(1)
    ref = lambda t: t if t in SCALARS else (t[1:] if t.startswith('.') else f'{package}.{t}')
    for message in re.finditer(r'message\s+(\w+)\s*\{([^}]*)\}', text):
        name, fields = message.group(1), []
        for label, typ, fname, num in re.findall(r'^\s*(?:(optional|repeated)\s+)?(map<[^>]*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;', message.group(2), re.M):
            key = (name, fname)
            mapped = re.match(r'map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>', typ)
            if mapped:
                fields.append([int(num), fname, [ref(mapped.group(1)), ref(mapped.group(2))]] + ([4] if key in omit else []))
                continue
            flags = (1 if label == 'repeated' else 0) | (2 if key in inline else 0) | (4 if key in omit and (label == 'repeated' or ref(typ) in SCALARS) else 0)
            fields.append([int(num), fname, ref(typ)] + ([flags] if flags else []))
        types[f'{package}.{name}'] = sorted(fields)

refs = lambda f: f[2] if isinstance(f[2], list) else [f[2]]
# Fields of types outside these files (newer alpha APIs) are dropped; a 1.32 client never sends them.
for name, fields in types.items():
    types[name] = [f for f in fields if all(r in SCALARS or r in types for r in refs(f))]
roots = [n for n, fs in types.items() if any(f[:3] == [1, 'metadata', 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta'] for f in fs)]
keep, stack = set(), roots + ['k8s.io.apimachinery.pkg.runtime.Unknown', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions']
while stack:
    name = stack.pop()
    if name not in keep:
        keep.add(name)
        stack.extend(r for f in types[name] for r in refs(f) if r in types)
short = lambda n: n.replace('k8s.io.api.', '').replace('k8s.io.apimachinery.pkg.', '')
out = {short(n): [[f[0], f[1], [short(r) for r in f[2]] if isinstance(f[2], list) else short(f[2])] + f[3:] for f in types[n]] for n in sorted(keep)}
json.dump(out, sys.stdout, separators=(',', ':'))
