/**
 * Availability-zone counts of the regions this platform is known to run in (AWS's published
 * figures). Config validation uses it to refuse an AZ count a region cannot satisfy before any
 * resource exists; at deploy time the real AZ names come from `aws.getAvailabilityZones`.
 */
export const REGION_AZ_COUNT: Readonly<Record<string, number>> = {
  "ap-northeast-1": 3,
  "ap-northeast-2": 4,
  "ap-northeast-3": 3,
  "ap-south-1": 3,
  "ap-southeast-1": 3,
  "ap-southeast-2": 3,
  "ca-central-1": 3,
  "eu-central-1": 3,
  "eu-north-1": 3,
  "eu-west-1": 3,
  "eu-west-2": 3,
  "eu-west-3": 3,
  "sa-east-1": 3,
  "us-east-1": 6,
  "us-east-2": 3,
  "us-west-1": 2,
  "us-west-2": 4,
};

export const DEFAULT_REGION = "ap-northeast-2";
