#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt for every shipped package from the PublicApiAnalyzers diagnostics:
# RS0016 (symbol not declared) lines are added, RS0017 (declared symbol no longer exists) lines are removed.
# Run after changing a public surface, then review the diff of the .txt files.
set -euo pipefail
cd "$(dirname "$0")/.."
for proj in src/*/; do
  name=$(basename "$proj")
  file="$proj/PublicAPI.Unshipped.txt"
  [ -f "$file" ] || continue
  for _ in 1 2 3; do
    log=$(dotnet build "$proj/$name.csproj" -p:TreatWarningsAsErrors=false --no-incremental 2>&1 || true)
    added=$(printf '%s\n' "$log" | grep -E "RS0016|RS0037" | sed -nE "s/.*Symbol '(.*)' is not part of the declared (public )?API.*/\1/p" | sort -u || true)
    removed=$(printf '%s\n' "$log" | grep -E "RS0017" | sed -nE "s/.*Symbol '(.*)' is part of the declared API, but.*/\1/p" | sort -u || true)
    [ -z "$added$removed" ] && break
    { head -1 "$file"; { tail -n +2 "$file"; printf '%s\n' "$added"; } | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$removed" | grep -v '^$' || echo '@@none@@') | LC_ALL=C sort -u; } > "$file.tmp"
    mv "$file.tmp" "$file"
  done
  echo "$name: $(($(wc -l < "$file") - 1)) unshipped symbols"
done
