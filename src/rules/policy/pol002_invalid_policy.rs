//! POL002 invalid-policy.

use crate::diagnostic::Severity;
use crate::rules::{Category, Check, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "POL002",
        name: "invalid-policy",
        category: Category::Policy,
        severity: Severity::Error,
        summary: "a policy or admission policy that cannot be evaluated: bad CEL, an unsupported function, a malformed policy file",
        docs: Docs {
            what: "Reports, at the exact position inside the expression, a CEL expression of a \
                   user policy (`tenantlint.io/v1` `Policy`) or of a `ValidatingAdmissionPolicy` \
                   that does not compile, has a type error (`'a' + 1`, `size(x) > 'three'`, a \
                   validation that is not a `bool`), or calls a function tenantlint does not \
                   support (`authorizer`, durations and timestamps, any unknown function). Also \
                   reports user policy files that are malformed: unknown keys (with a \"did you \
                   mean\"), an `id` that is not uppercase letters and three digits, an `id` or \
                   name that a built-in rule or another policy already uses, a name that is not \
                   kebab-case, a bad `severity` or `fieldPath`, a validation without an \
                   expression or a message; and bindings without the `paramRef` that their \
                   policy's `paramKind` needs. User policies are the `Policy` documents of the \
                   files that the config's `policies:` names; a `Policy` document elsewhere in the \
                   linted set is not one, and is neither validated nor evaluated.\n\n\
                   Supported: CEL's standard library and macros (`has`, `all`, `exists`, \
                   `exists_one`, `map`, `filter`), optional values (`?.`, `[?…]`, `orValue`, \
                   `hasValue`), the strings extension (`lowerAscii`, `upperAscii`, `split`, \
                   `join`, `format`, `replace`, `substring`, `trim`, `indexOf`, `charAt`, …), the \
                   lists and math extensions, and the Kubernetes libraries: lists (`isSorted`, \
                   `sum`, `min`, `max`, `indexOf`, `lastIndexOf`), regex (`find`, `findAll`), \
                   `quantity()` (`isLessThan`, `isGreaterThan`, `compareTo`, `add`, `sub`, \
                   `asInteger`, `asApproximateFloat`, `isInteger`, `sign`), `url()`, `ip()` and \
                   `cidr()`.",
            why: "A policy that cannot run protects nothing. The API server would reject such a \
                  policy (or fail every request it matches); tenantlint reports it instead of \
                  silently passing every object.",
            example: "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: replica-limit\nspec:\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [apps]\n      apiVersions: [v1]\n      operations: [CREATE, UPDATE]\n      resources: [deployments]\n  validations:\n  - expression: \"object.spec.replicas <= \"\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: replica-limit\nspec:\n  policyName: replica-limit\n  validationActions: [Deny]\n",
            use_instead: "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: replica-limit\nspec:\n  matchConstraints:\n    resourceRules:\n    - apiGroups: [apps]\n      apiVersions: [v1]\n      operations: [CREATE, UPDATE]\n      resources: [deployments]\n  validations:\n  - expression: \"object.spec.replicas <= 5\"\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: replica-limit\nspec:\n  policyName: replica-limit\n  validationActions: [Deny]\n",
            options: None,
            known_problems: Some(
                "tenantlint has no schema of the objects, so its type checker only knows \
                 literals, operators, the common functions and `metadata`; other type errors show \
                 when the expression is evaluated, as a finding of the policy saying that the \
                 expression could not be evaluated.",
            ),
            references: Some(
                "- [CEL language definition](https://github.com/google/cel-spec/blob/master/doc/langdef.md)\n\
                 - [Kubernetes: CEL libraries](https://kubernetes.io/docs/reference/using-api/cel/)",
            ),
        },
    },
    check: Check::Builtin,
};
