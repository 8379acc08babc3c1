#!/usr/bin/env bash
# Regenerates the golden protobuf bytes in this directory from the .txtpb
# inputs with protoc (an encoder independent of protobufjs). Tests never run
# protoc; they compare protobufjs' output with the committed .bin files.
#
# Needs protoc (Debian: apt-get install protobuf-compiler) and the workspace's
# node_modules. Run from anywhere: packages/spec/test/golden/protos/make-golden.sh
#
# Map fields: protobufjs writes entries in insertion order; protoc 3.21's
# --encode writes them in the order the text lists them, and protoc with
# deterministic serialisation sorts them by key. The .txtpb files therefore list
# map entries in ascending key order (the same bytes under either protoc) and the
# test inserts them in that order.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
spec="$(cd "$here/../../.." && pwd)"
deps="$(cd "$spec" && node -p "require('node:path').join(require('node:path').dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps')")"

# google/protobuf/*.proto: protoc's own copies (Debian ships them with libprotobuf-dev).
wkt="${PROTOC_WKT_INCLUDE:-/usr/include}"
if [[ ! -f "$wkt/google/protobuf/descriptor.proto" ]]; then
  echo "google/protobuf/descriptor.proto not found under $wkt; set PROTOC_WKT_INCLUDE" >&2
  exit 1
fi

# Same include order as protoIncludeDirs() in src/proto/proto-paths.ts.
includes=(
  -I "$spec/protos"
  -I "$deps/envoy-api"
  -I "$deps/xds"
  -I "$deps/googleapis"
  -I "$deps/protoc-gen-validate"
  -I "$wkt"
)

encode() { # <case> <message type> <proto file>
  protoc "${includes[@]}" --encode="$2" "$3" < "$here/$1.txtpb" > "$here/$1.bin"
  echo "$1.bin: $(wc -c < "$here/$1.bin") bytes ($2)"
}

protoc --version
encode check-request envoy.service.auth.v3.CheckRequest envoy/service/auth/v3/external_auth.proto
encode export-logs-request opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest \
  opentelemetry/proto/collector/logs/v1/logs_service.proto
encode agent-report sluice.sync.v1.AgentMessage sluice/sync/v1/sync.proto
encode controller-decisions sluice.sync.v1.ControllerMessage sluice/sync/v1/sync.proto
