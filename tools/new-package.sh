#!/usr/bin/env bash
# Creates a workspace package skeleton: tools/new-package.sh packages/NAME "description" [dep ...]
set -euo pipefail
dir=$1; desc=$2; shift 2
name="@fathom/$(basename "$dir")"
mkdir -p "$dir/src" "$dir/test"
deps=""; refs=""
for d in "$@"; do
  case "$d" in
    @fathom/*) deps="$deps\"$d\": \"*\","; base=${d#@fathom/}; if [ -d "packages/$base" ]; then refs="$refs{\"path\": \"../../packages/$base\"},"; else refs="$refs{\"path\": \"../../apps/$base\"},"; fi ;;
    *) deps="$deps\"${d%@*}\": \"${d##*@}\"," ;;
  esac
done
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "type": "module",
  "exports": { ".": { "types": "./dist/src/index.d.ts", "default": "./dist/src/index.js" } },
  "dependencies": { ${deps%,} }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": ".", "outDir": "dist" },
  "include": ["src", "test"],
  "references": [ ${refs%,} ]
}
JSON
