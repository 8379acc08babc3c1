{{- /* generated — edit packages/manifests/src/chart/tenant-gateways-chart.ts, run npm run charts */ -}}

{{- define "tenant-gateways.firstDuplicate" -}}
{{- $names := dict -}}{{- $hosts := dict -}}{{- $out := "" -}}{{- range $tenant := .Values.tenants -}}{{- if and (not $out) (hasKey $names $tenant.name) -}}{{- $out = printf "tenants: tenant name %s is used twice; object names derive from it" $tenant.name -}}{{- end -}}{{- $_ := set $names $tenant.name true -}}{{- range $host := $tenant.hosts -}}{{- if and (not $out) (hasKey $hosts $host) -}}{{- $out = printf "tenants: host %s is claimed by tenant %s and tenant %s; each host belongs to exactly one tenant" $host (get $hosts $host) $tenant.name -}}{{- end -}}{{- $_ := set $hosts $host $tenant.name -}}{{- end -}}{{- end -}}{{- $out -}}
{{- end }}

{{- define "tenant-gateways.routeChunks" -}}
{{- $out := list -}}{{- range $tenant := .Values.tenants -}}{{- range $index, $hosts := chunk 16 $tenant.hosts -}}{{- $out = append $out (dict "tenant" $tenant "hosts" $hosts "suffix" (ternary "" (printf ".%d" (add1 $index)) (eq $index 0))) -}}{{- end -}}{{- end -}}{{- toJson $out -}}
{{- end }}
