{{- /* generated — edit packages/manifests/src/chart/charts.ts, run npm run charts */ -}}
