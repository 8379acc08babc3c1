{{- /* generated — edit packages/manifests/src/chart/istio-config-chart.ts, run npm run charts */ -}}

{{- define "istioconfig.agentHost" -}}
{{- (print (include "istioconfig.agentService" $) "." (toString $.Values.agent.namespace) ".svc." (toString $.Values.agent.clusterDomain)) -}}
{{- end }}

{{- define "istioconfig.agentService" -}}
{{- (default (print (trimSuffix "-" (trunc 57 (trimSuffix "-" (trunc 63 (ternary $.Values.agent.release (print (toString $.Values.agent.release) "-sluice") (contains "sluice" $.Values.agent.release)))))) "-agent") $.Values.agent.service) -}}
{{- end }}

{{- define "istioconfig.agentTarget" -}}
{{- (ternary (print "localhost:" (toString $.Values.sidecarMode.port)) (print (include "istioconfig.agentHost" $) ":" (toString $.Values.agent.port)) $.Values.sidecarMode.enabled) -}}
{{- end }}

{{- define "istioconfig.fullname" -}}
{{- (trimSuffix "-" (trunc 63 (default (ternary $.Release.Name (print $.Release.Name "-" (include "istioconfig.name" $)) (contains (include "istioconfig.name" $) $.Release.Name)) $.Values.fullnameOverride))) -}}
{{- end }}

{{- define "istioconfig.name" -}}
{{- (default $.Chart.Name $.Values.nameOverride) -}}
{{- end }}
