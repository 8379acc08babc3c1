{{- /* generated — edit packages/manifests/src/charts.ts, run npm run charts */ -}}
