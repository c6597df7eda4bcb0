#!/usr/bin/env bash
# Previews each named stack against its deployed state into previews/<stack>.json for
# `platform review --previews previews` (docs/inputs.md). Run with the read-only preview role of
# the stacks' account already assumed. A stack whose preview fails leaves no file, so the review
# plans it offline and says so.
#   --show-sames: policy and cost need every resource, not only the changed ones;
#   --show-replacement-steps: the order of each replace (delete- or create-before-replace).
set -uo pipefail
: "${PULUMI_ORG:?PULUMI_ORG must be set (deploy.yml: vars.PULUMI_ORG, default organization)}"
mkdir -p previews
for stack in "$@"; do
  if pulumi preview --json --show-sames --show-replacement-steps --non-interactive \
      --stack "${PULUMI_ORG}/${stack}" > "previews/${stack}.json" 2> "previews/${stack}.log"; then
    echo "${stack}: pulumi preview"
  else
    echo "::warning::pulumi preview of ${stack} failed; the review plans it offline"
    cat "previews/${stack}.log"
    rm -f "previews/${stack}.json"
  fi
done
