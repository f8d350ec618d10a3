#!/usr/bin/env bash
# scripts/new-package.sh <dir> <@riik/name> "<description>" [private]
# Scaffolds a workspace with the exports/tsconfig shape docs/development.md describes.
set -euo pipefail
dir=$1 name=$2 desc=$3 private=${4:-}
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  ${private:+\"private\": true,}
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "exports": {
    ".": { "riik-src": "./src/index.ts", "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./*": { "riik-src": "./src/*.ts", "types": "./dist/*.d.ts", "default": "./dist/*.js" }
  },
  "files": ["dist"]
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "${up}tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "references": []
}
JSON
cat > "$dir/test/tsconfig.json" <<JSON
{
  "extends": "${up}../tsconfig.test.json",
  "include": ["."],
  "references": [{ "path": ".." }, { "path": "${up}../testing" }]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
