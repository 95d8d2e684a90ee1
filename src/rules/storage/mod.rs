//! Storage rules. What a pod references (Secrets, ConfigMaps, claims) is
//! read once by the model ([`crate::model::storage`]).
rules! {
    store001_shared_volume_claim,
    store002_cross_namespace_reference,
}
