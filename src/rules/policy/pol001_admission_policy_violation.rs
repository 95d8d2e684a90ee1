//! POL001 admission-policy-violation.

use crate::diagnostic::Severity;
use crate::rules::{Category, Check, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "POL001",
        name: "admission-policy-violation",
        category: Category::Policy,
        severity: Severity::Error,
        summary: "an object that a ValidatingAdmissionPolicy of the set would deny or warn about",
        docs: Docs {
            what: "Evaluates the `ValidatingAdmissionPolicy` and `ValidatingAdmissionPolicyBinding` \
                   objects (`admissionregistration.k8s.io/v1`) of the linted set against the other \
                   objects of the set, as the API server would when they are created: \
                   `matchConstraints` and the binding's `matchResources` (resource rules with `*` \
                   and subresources, `operations`, `scope`, `resourceNames`, \
                   `excludeResourceRules`, `namespaceSelector`, `objectSelector`, `matchPolicy`), \
                   `matchConditions`, `variables`, `paramKind` with the binding's `paramRef` \
                   (by `name`, `namespace` or `selector`, with `parameterNotFoundAction`) resolved \
                   to objects of the set, and `failurePolicy`. A binding's `validationActions` set \
                   the severity: `Deny` is an error, `Warn` a warning, `Audit` info. The message is \
                   the validation's `messageExpression`, else its `message`, else the failed \
                   expression; the finding sits on the first `object.…` field the expression \
                   reads (the `replicas:` value for `object.spec.replicas <= 5`), else on the \
                   object's name.\n\n\
                   CEL sees `object`, `oldObject` (null: the objects are being created), \
                   `namespaceObject` (the Namespace object when the set declares it), `params`, \
                   `variables` and `request` (`operation` is `CREATE`; `kind`, `resource`, `name`, \
                   `namespace`). User policies (`tenantlint.io/v1` `Policy`) report under their own \
                   id and name instead.",
            why: "The cluster rejects the object at deploy time, after review and merge, often in \
                  the middle of a rollout. Evaluating the repository's own admission policies \
                  against its manifests fails the commit instead.",
            example: "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: replica-limit\nspec:\n  failurePolicy: Fail\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [apps]\n      apiVersions: [v1]\n      operations: [CREATE, UPDATE]\n      resources: [deployments]\n  validations:\n  - expression: object.spec.replicas <= 5\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: replica-limit-test\nspec:\n  policyName: replica-limit\n  validationActions: [Deny]\n  matchResources:\n    namespaceSelector:\n      matchLabels: {environment: test}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels: {environment: test}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trainer\n  namespace: team-a\nspec:\n  replicas: 8\n",
            use_instead: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trainer\n  namespace: team-a\nspec:\n  replicas: 4\n",
            options: None,
            known_problems: Some(
                "Only what the repository holds is known: a Namespace that the set does not \
                 declare has only its `kubernetes.io/metadata.name` label, so a \
                 `namespaceSelector` on other labels does not match its objects; an object whose \
                 namespace is unset matches no `namespaceSelector`. `authorizer` is not available \
                 offline, and durations and timestamps are not supported: a policy that uses them \
                 is POL002. Kinds are matched to resources through a built-in table and the CRDs \
                 of the set; for other kinds the resource is the lowercase plural of the kind \
                 (`ReplicaLimit` → `replicalimits`), a guess. `request.userInfo` is not known and \
                 an expression that reads it fails (`failurePolicy: Ignore` lets the object \
                 through). Mutating admission policies and webhooks are not evaluated.",
            ),
            references: Some(
                "- [Kubernetes: Validating Admission Policy](https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/)\n\
                 - [Kubernetes: CEL libraries](https://kubernetes.io/docs/reference/using-api/cel/)",
            ),
        },
    },
    check: Check::Builtin,
};
