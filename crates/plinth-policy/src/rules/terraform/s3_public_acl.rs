//! PL-TF-022 `s3-public-acl`: S3 buckets grant nothing to everyone through ACLs.

use super::common::BUCKETS;
use crate::terraform::{Found, Module, Resource, TerraformHit, TerraformRule, find, span, string};
use crate::{RuleDoc, Severity, Target};

/// No bucket has a public canned ACL or a grant to all users.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-022",
        name: "s3-public-acl",
        severity: Severity::Error,
        target: Target::Terraform,
        summary: "S3 buckets have no public ACL",
        doc: r#"No `aws_s3_bucket` has the canned ACL `public-read`, `public-read-write` or
`authenticated-read` — in its own `acl` (AWS provider v3) or in an `aws_s3_bucket_acl` naming it —
and no `aws_s3_bucket_acl` grants to the `AllUsers` or `AuthenticatedUsers` group in its
`access_control_policy`.

## Why
A public-read ACL lets anyone on the internet list and download the bucket; public-read-write lets
them upload and overwrite too (malware hosting, a bill, destroyed data). `AuthenticatedUsers` is
any AWS account in the world, not yours. Public exposure of S3 buckets remains one of the most
frequent causes of data leaks. Serve public content through CloudFront with origin access control
instead, and keep ACLs disabled (`BucketOwnerEnforced`).

## Fix
```hcl
resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}
```

## References
- AWS S3 User Guide, "Access control list (ACL) overview" and "Controlling ownership of objects
  and disabling ACLs"
"#,
        equivalents: &["checkov:CKV_AWS_20", "checkov:CKV_AWS_57", "trivy:AWS-0092"],
    },
    check,
};

/// The canned ACLs that open a bucket beyond its account.
const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

/// The grantee groups that are everyone.
const PUBLIC_GROUPS: &[&str] =
    &["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

/// Flags public canned ACLs and public grants of every bucket.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for bucket in module.resources(BUCKETS) {
        canned(bucket, bucket, hits);
        for acl in module.referencing("aws_s3_bucket_acl", "bucket", bucket) {
            canned(bucket, acl, hits);
            for policy in acl.blocks("access_control_policy") {
                for grant in policy.body.get_blocks("grant") {
                    if let Found::Attribute(uri) = find(grant, &["grantee", "uri"])
                        && let Some(group) = string(&uri.value).filter(|g| PUBLIC_GROUPS.contains(g))
                    {
                        let message = format!("grants access to {group} in {}", acl.address());
                        hits.push(TerraformHit { file: acl.file, ..bucket.hit(span(grant), &message) });
                    }
                }
            }
        }
    }
}

/// Flags a public canned `acl` of `holder` (the bucket or an `aws_s3_bucket_acl` naming it).
fn canned(bucket: &Resource<'_>, holder: &Resource<'_>, hits: &mut Vec<TerraformHit>) {
    let Some(attribute) = holder.attribute("acl") else { return };
    if let Some(acl) = string(&attribute.value).filter(|acl| PUBLIC_ACLS.contains(acl)) {
        let message = format!("has the public ACL {acl}");
        hits.push(TerraformHit { file: holder.file, ..bucket.hit(span(attribute), &message) });
    }
}
