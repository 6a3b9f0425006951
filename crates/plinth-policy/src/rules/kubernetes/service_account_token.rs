//! PL-K8S-038 `service-account-token`: pods do not mount an API token they do not use.

use serde_json::Value;

use super::KubernetesSetRule;
use super::common::{namespace, pod_field, same_namespace};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Pods must opt out of the automatically mounted service account token.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-038",
        name: "service-account-token",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Pods set automountServiceAccountToken: false (on the pod or their ServiceAccount)",
        doc: r#"Every pod spec sets `automountServiceAccountToken: false`, or leaves it unset and runs
as a ServiceAccount, among the checked objects, that sets `automountServiceAccountToken: false`
(the pod's setting wins over the account's, as in Kubernetes). Pods that call the Kubernetes API
should set the field to `true` deliberately, and suppress this finding with a reason.

## Why
By default every pod gets a token for its service account, mounted where any process in the
container can read it. Most applications never call the API; for them the token is only a
credential for an attacker, often with more rights than expected.

## Fix
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
automountServiceAccountToken: false
---
# and in the pod spec
spec:
  serviceAccountName: api
  automountServiceAccountToken: false
```

## References
- Kubernetes: Configure Service Accounts for Pods, "Opt out of API credential automounting"
"#,
        equivalents: &[
            "checkov:CKV_K8S_38",
            "polaris:automountServiceAccountToken",
            "trivy:KSV-0036",
            "kubescape:C-0034",
        ],
    },
    check,
};

/// Flags pod specs that mount the token, set or inherited from their ServiceAccount.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, object) in objects.iter().enumerate() {
        let Some(spec) = object.pod_spec() else {
            continue;
        };
        match pod_field(object, "automountServiceAccountToken") {
            Some((value, _)) if value.as_bool() == Some(false) => {}
            Some((_, pointer)) => {
                hits.push((idx, Hit::new(pointer, format!("{} mounts its service account token", object.display()))));
            }
            None => {
                let account = ["serviceAccountName", "serviceAccount"]
                    .iter()
                    .find_map(|field| spec.value.get(*field).and_then(Value::as_str))
                    .unwrap_or("default");
                let opted_out = objects.iter().any(|o| {
                    o.kind() == "ServiceAccount"
                        && o.name() == account
                        && same_namespace(o, object)
                        && o.value.get("automountServiceAccountToken").and_then(Value::as_bool) == Some(false)
                });
                if !opted_out {
                    let ns = namespace(object);
                    let at = if ns.is_empty() { String::new() } else { format!(" in {ns}") };
                    hits.push((
                        idx,
                        Hit::new(
                            format!("{}/automountServiceAccountToken", spec.pointer),
                            format!(
                                "{} mounts the token of ServiceAccount {account}{at}, which does not opt out of automounting",
                                object.display()
                            ),
                        ),
                    ));
                }
            }
        }
    }
}
