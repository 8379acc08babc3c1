{{- /* generated — edit packages/manifests/src/chart/charts.ts, run npm run charts */ -}}

{{- define "sluice.agent.fullname" -}}
{{- (print (trimSuffix "-" (trunc 57 (include "sluice.fullname" $))) "-agent") -}}
{{- end }}

{{- define "sluice.controller-api-token.fullname" -}}
{{- (print (trimSuffix "-" (trunc 42 (include "sluice.fullname" $))) "-controller-api-token") -}}
{{- end }}

{{- define "sluice.controller-peers.fullname" -}}
{{- (print (trimSuffix "-" (trunc 46 (include "sluice.fullname" $))) "-controller-peers") -}}
{{- end }}

{{- define "sluice.controller.fullname" -}}
{{- (print (trimSuffix "-" (trunc 52 (include "sluice.fullname" $))) "-controller") -}}
{{- end }}

{{- define "sluice.fullname" -}}
{{- (trimSuffix "-" (trunc 63 (default (ternary $.Release.Name (print $.Release.Name "-" (include "sluice.name" $)) (contains (include "sluice.name" $) $.Release.Name)) $.Values.fullnameOverride))) -}}
{{- end }}

{{- define "sluice.monitoring.fullname" -}}
{{- (print (trimSuffix "-" (trunc 52 (include "sluice.fullname" $))) "-monitoring") -}}
{{- end }}

{{- define "sluice.name" -}}
{{- (default $.Chart.Name $.Values.nameOverride) -}}
{{- end }}

{{- define "sluice.record-key.fullname" -}}
{{- (print (trimSuffix "-" (trunc 52 (include "sluice.fullname" $))) "-record-key") -}}
{{- end }}
