#!/usr/bin/env bash
# Publishes the single-page app and static assets of an environment behind the edge (docs/edge.md):
# uploads <dir> to the edge's private assets bucket, then invalidates the distribution's cache.
# The deploy workflow calls it right after `pulumi up` of the stack, with its deploy role assumed.
# Stacks without platform:edge export no edgeAssetsBucket: nothing to do.
#   usage: publish-assets.sh <stack> <dir>     (PULUMI_ORG names the organization, as in deploy.yml)
#
# Cache-Control: files other than HTML are expected to carry a content hash in their name
# (main.3f2a9c.js), so they are immutable for a year; HTML names never change, so viewers and
# CloudFront revalidate it (no-cache) and a publish shows at once. Uploading the hashed files first
# means a new index.html never points at a file that is not there yet. Files a publish no longer
# contains are deleted last; the bucket is versioned, so a bad publish is undone by restoring the
# previous versions (they are kept 30 days).
set -euo pipefail
stack="${1:?usage: publish-assets.sh <stack> <dir>}"
dir="${2:?usage: publish-assets.sh <stack> <dir>}"
: "${PULUMI_ORG:?PULUMI_ORG must be set (deploy.yml: vars.PULUMI_ORG, default organization)}"
out=$(pulumi stack output --json --stack "${PULUMI_ORG}/${stack}")
bucket=$(jq -r '.edgeAssetsBucket // empty' <<<"$out")
if [ -z "$bucket" ]; then
  echo "${stack}: no edge (platform:edge); no assets to publish"
  exit 0
fi
distribution=$(jq -r .edgeDistributionId <<<"$out")
if [ ! -d "$dir" ]; then
  echo "::error::${stack}: ${dir} does not exist; build the site into it first (docs/edge.md)"
  exit 2
fi
aws s3 sync "$dir" "s3://${bucket}/" --exclude "*.html" --cache-control "public, max-age=31536000, immutable" --only-show-errors
aws s3 sync "$dir" "s3://${bucket}/" --exclude "*" --include "*.html" --cache-control "no-cache" --only-show-errors
aws s3 sync "$dir" "s3://${bucket}/" --delete --only-show-errors
# One path "/*" is one invalidation path of the 1,000 free a month (CloudFront pricing).
id=$(aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" --query 'Invalidation.Id' --output text)
echo "${stack}: published ${dir} to s3://${bucket}; invalidation ${id} on ${distribution}"
aws cloudfront wait invalidation-completed --distribution-id "$distribution" --id "$id"
echo "${stack}: invalidation ${id} completed"
