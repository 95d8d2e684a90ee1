//! Storage rules. What a pod references (Secrets, ConfigMaps, claims) is
//! read once by the model ([`crate::model::storage`]).
pub mod store001_shared_volume_claim;
pub mod store002_cross_namespace_reference;
