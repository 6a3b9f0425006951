//! PL-TF-028 `ebs-encryption`: EBS volumes are encrypted.

use std::ops::Range;

use hcl_edit::structure::Block;

use super::common::{is_true, violation};
use crate::terraform::{Module, TerraformHit, TerraformRule, boolean, span};
use crate::{RuleDoc, Severity, Target};

/// Volumes, instance disks and the account default are encrypted.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-028",
        name: "ebs-encryption",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "EBS volumes and instance disks are encrypted",
        doc: r#"Every `aws_ebs_volume` sets `encrypted = true`; every `aws_instance` and
`aws_launch_configuration` has a `root_block_device`, and each of its `root_block_device` and
`ebs_block_device` blocks sets `encrypted = true` or restores a `snapshot_id` (which carries the
snapshot's encryption); an `aws_ebs_encryption_by_default` does not set `enabled = false`. A module
that turns encryption by default on (an `aws_ebs_encryption_by_default` without `enabled = false`)
encrypts every new volume of the region, so its volumes and instances are not checked.

## Why
An unencrypted volume's data, and every snapshot of it, is readable by whoever obtains the
snapshot — shared by mistake, copied to another account, or read by someone with
`ebs:CreateVolume` permissions. Encryption with KMS costs nothing measurable, and snapshots of
encrypted volumes stay encrypted. Unencrypted volumes cannot be encrypted in place later.

## Fix
```hcl
resource "aws_ebs_encryption_by_default" "on" {
  enabled = true
}

resource "aws_instance" "app" {
  root_block_device {
    encrypted = true
  }
}
```

## References
- Amazon EBS User Guide, "Amazon EBS encryption" and "Encryption by default"
"#,
        equivalents: &[
            "checkov:CKV_AWS_3",
            "checkov:CKV_AWS_8",
            "checkov:CKV_AWS_106",
            "trivy:AWS-0026",
            "trivy:AWS-0131",
        ],
    },
    check,
};

/// The account-level default.
const DEFAULT: &[&str] = &["aws_ebs_encryption_by_default"];

/// Flags unencrypted volumes and instance disks, and a disabled default.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    let mut by_default = false;
    for setting in module.resources(DEFAULT) {
        match setting.attribute("enabled").map(|a| (a, boolean(&a.value))) {
            Some((attribute, Some(false))) => {
                hits.push(setting.hit(span(attribute), "turns EBS encryption by default off"))
            }
            Some((_, Some(true))) | None => by_default = true,
            Some((_, None)) => {}
        }
    }
    if by_default {
        return;
    }
    for volume in module.resources(&["aws_ebs_volume"]) {
        if let Some(at) = violation(volume.block, &["encrypted"], false, is_true) {
            hits.push(volume.hit(at, "is not encrypted (encrypted)"));
        }
    }
    for instance in module.resources(&["aws_instance", "aws_launch_configuration"]) {
        if instance.blocks("root_block_device").next().is_none() {
            hits.push(instance.hit_here("has an unencrypted root volume (no root_block_device with encrypted = true)"));
        }
        for (ident, device) in ["root_block_device", "ebs_block_device"]
            .into_iter()
            .flat_map(|ident| instance.blocks(ident).map(move |device| (ident, device)))
        {
            if let Some(at) = unencrypted(device) {
                hits.push(instance.hit(at, &format!("has an unencrypted volume ({ident} without encrypted = true)")));
            }
        }
    }
}

/// Where a device block leaves its volume unencrypted, if it does.
fn unencrypted(device: &Block) -> Option<Range<usize>> {
    if device.body.get_attribute("snapshot_id").is_some() {
        return None;
    }
    violation(device, &["encrypted"], false, is_true)
}
