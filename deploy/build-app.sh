#!/bin/sh
# Builds the runtime layout into $1: $1/dist/wirewatch.mjs (+ client.js, default-rules.yaml) and
# $1/node_modules with the production dependencies of @wirewatch/cli, the packages the bundle imports.
# Run from the workspace root after `pnpm fetch` (the image's build stage: deploy/Dockerfile); the
# tests in tests/deploy run it too, on a copy of what the Dockerfile copies, to prove the layout.
set -eu
out="$1"

# --offline: only what `pnpm fetch` put in the store, exactly as the lockfile says.
pnpm install --frozen-lockfile --offline
pnpm build

# `pnpm deploy` copies @wirewatch/cli (with dist/) and installs its production dependencies from a
# lockfile it derives from the workspace's. pnpm 10 deploys that way only with injected workspace
# packages; set here for the deploy alone, the workspace's own install stays as it is. (--legacy
# would re-resolve the injected packages' dependencies instead of following the lockfile.)
pnpm --filter @wirewatch/cli --prod --offline --config.inject-workspace-packages=true deploy "$out"

# pnpm build leaves dist/wirewatch.mjs a symlink into dist/builds/<hash>/ (a build is never written over
# while a process may load it: scripts/build-cli.mjs), and pnpm deploy leaves symlinks out: the image
# gets that build's files, flat, in dist/.
build="$(dirname "$(readlink -f packages/cli/dist/wirewatch.mjs)")"
rm -rf "$out/dist"
cp -R "$build" "$out/dist"
rm -f "$out/dist/build-inputs.json"
