//! PL-TF-021 `rds-encryption-in-transit`: RDS instances refuse connections without TLS.

use hcl_edit::structure::Block;

use crate::terraform::{Module, Resource, TerraformHit, TerraformRule, number, span, string};
use crate::{RuleDoc, Severity, Target};

/// The DB parameter group of an instance forces TLS for its engine.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-021",
        name: "rds-encryption-in-transit",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "RDS instances accept only TLS connections",
        doc: r#"The `aws_db_parameter_group` an `aws_db_instance` names in `parameter_group_name` forces
TLS for its engine: `rds.force_ssl = 1` for a PostgreSQL or SQL Server family,
`require_secure_transport = 1` (or `ON`) for MySQL and MariaDB, `db2comm = SSL` for Db2. The
family is the group's `family` (the instance's `engine` when that is not a literal). As in Checkov,
an instance that names no parameter group of the module passes: it runs on a default group (which
forces TLS for PostgreSQL 15 and later, and does not for MySQL and MariaDB).

## Why
Without the parameter, a client that does not ask for TLS — a misconfigured driver, a `psql`
without `sslmode`, a tool defaulting to `prefer` — sends the password and every row in clear
text across the VPC, where anything with a foothold on the network path can read or alter it.
Forcing TLS on the server makes the encrypted path the only one.

## Fix
```hcl
resource "aws_db_parameter_group" "main" {
  family = "postgres16"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
}

resource "aws_db_instance" "main" {
  parameter_group_name = aws_db_parameter_group.main.name
}
```

## References
- AWS RDS User Guide, "Using SSL/TLS to encrypt a connection to a DB instance"
"#,
        equivalents: &["checkov:CKV2_AWS_69"],
    },
    check,
};

/// The parameter that forces TLS for a family, and the values that do.
fn requirement(family: &str) -> Option<(&'static str, &'static [&'static str])> {
    if family.starts_with("postgres") || family.contains("sqlserver") {
        Some(("rds.force_ssl", &["1"]))
    } else if family.starts_with("mysql") || family.starts_with("mariadb") {
        Some(("require_secure_transport", &["1", "ON"]))
    } else if family.contains("db2-ae") {
        Some(("db2comm", &["SSL"]))
    } else {
        None
    }
}

/// Flags instances whose parameter group does not force TLS.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for instance in module.resources(&["aws_db_instance"]) {
        for group in module.referenced(instance, "parameter_group_name", &["aws_db_parameter_group"]) {
            let literal = |r: &Resource<'_>, key| r.attribute(key).and_then(|a| string(&a.value)).map(str::to_owned);
            let Some(family) = literal(group, "family").or_else(|| literal(instance, "engine")) else { continue };
            let Some((parameter, good)) = requirement(&family) else { continue };
            let Some(found) = lookup(group.block, parameter) else { continue };
            let (at, problem) = match found {
                Some(block) => {
                    let Some(value) = block.body.get_attribute("value") else { continue };
                    let text =
                        string(&value.value).map(str::to_owned).or_else(|| number(&value.value).map(|n| n.to_string()));
                    match text {
                        Some(text) if !good.iter().any(|g| g.eq_ignore_ascii_case(&text)) => {
                            (span(value), format!("which sets {parameter} to {text}"))
                        }
                        _ => continue,
                    }
                }
                None => (span(group.block), format!("which does not set {parameter}")),
            };
            let message = format!("accepts connections without TLS: its {} {problem}", group.address());
            hits.push(TerraformHit { file: group.file, ..instance.hit(at, &message) });
        }
    }
}

/// The `parameter` block of `group` named `name` (`Some(None)` when there is none); `None` when a
/// parameter's name is not a literal or the parameters are generated, so unknown.
fn lookup<'a>(group: &'a Block, name: &str) -> Option<Option<&'a Block>> {
    if group.body.get_blocks("dynamic").next().is_some() {
        return None;
    }
    let mut found = None;
    for block in group.body.get_blocks("parameter") {
        match block.body.get_attribute("name").map(|a| string(&a.value)) {
            Some(Some(key)) if key == name => found = Some(block),
            Some(None) => return None,
            _ => {}
        }
    }
    Some(found)
}
