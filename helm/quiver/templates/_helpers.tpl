{{/* The chart's name, or nameOverride. */}}
{{- define "quiver.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object. */}}
{{- define "quiver.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The headless Service that gives every pod a stable DNS name. */}}
{{- define "quiver.headlessName" -}}
{{- printf "%s-headless" (include "quiver.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "quiver.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "quiver.labels" -}}
helm.sh/chart: {{ include "quiver.chart" . }}
{{ include "quiver.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: quiver
{{- end }}

{{/* Labels that select the pods. */}}
{{- define "quiver.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quiver.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node
{{- end }}

{{- define "quiver.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The stable DNS name of pod {{ index }}, as "host". */}}
{{- define "quiver.podHost" -}}
{{- printf "%s-%d.%s.%s.svc.%s" (include "quiver.fullname" .root) .index (include "quiver.headlessName" .root) .root.Release.Namespace .root.Values.clusterDomain }}
{{- end }}

{{/* The container's memory limit in MiB, from resources.limits.memory (Mi, Gi, M or G). */}}
{{- define "quiver.memoryMi" -}}
{{- $m := toString .Values.resources.limits.memory }}
{{- if hasSuffix "Gi" $m }}{{ mul (trimSuffix "Gi" $m | atoi) 1024 }}
{{- else if hasSuffix "Mi" $m }}{{ trimSuffix "Mi" $m | atoi }}
{{- else if hasSuffix "G" $m }}{{ div (mul (trimSuffix "G" $m | atoi) 1000) 1049 }}
{{- else if hasSuffix "M" $m }}{{ div (mul (trimSuffix "M" $m | atoi) 1000) 1049 }}
{{- else }}{{ fail (printf "resources.limits.memory %q: give it in Mi, Gi, M or G" $m) }}
{{- end }}
{{- end }}

{{/* Arrow (direct) memory of the JVM in MiB. */}}
{{- define "quiver.directMi" -}}
{{- div (mul (include "quiver.memoryMi" . | atoi) (int .Values.jvm.directMemoryPercent)) 100 }}
{{- end }}

{{/* The JVM options of a node: heap and direct memory as shares of the container's limit. */}}
{{- define "quiver.javaOpts" -}}
{{- if gt (add (int .Values.jvm.heapPercent) (int .Values.jvm.directMemoryPercent)) 80 }}
{{- fail (printf "jvm.heapPercent (%d) + jvm.directMemoryPercent (%d) is above 80: leave at least 20%% of the memory limit for the native memory neither counts (column chunks and pages being read, thread stacks, metaspace)" (int .Values.jvm.heapPercent) (int .Values.jvm.directMemoryPercent)) }}
{{- end }}
{{- printf "-XX:MaxRAMPercentage=%d -XX:G1HeapRegionSize=16m -XX:MaxDirectMemorySize=%sm -XX:+ExitOnOutOfMemoryError %s" (int .Values.jvm.heapPercent) (include "quiver.directMi" .) .Values.jvm.extraOpts | trim }}
{{- end }}

{{/* Seconds of a duration written as "<n>s". */}}
{{- define "quiver.seconds" -}}
{{- trimSuffix "s" (toString .) | atoi }}
{{- end }}
