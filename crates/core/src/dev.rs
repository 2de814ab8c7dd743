//! The local sandbox's documented development credentials (README lists
//! them): the sandbox accepts them, and the console offers them only for an
//! environment the gateway marks as the sandbox.

/// OCP: a bearer token of an owner of every group.
pub const OWNER_TOKEN: &str = "sandbox-owner";
/// OCP: a bearer token of a member of the `ocp` group only.
pub const MEMBER_TOKEN: &str = "sandbox-member";

/// Exotel's account SID, API key and API token (HTTP Basic).
pub const EXOTEL_SID: &str = "sandbox";
/// Exotel's API key (the Basic user).
pub const EXOTEL_KEY: &str = "sandbox-key";
/// Exotel's API token (the Basic password).
pub const EXOTEL_TOKEN: &str = "sandbox-token";

/// Huawei: the project the dev credentials are scoped to.
pub const HUAWEI_PROJECT: &str = "sandbox-project";
/// Huawei: an IAM token (`X-Auth-Token`).
pub const HUAWEI_TOKEN: &str = "sandbox-huawei";
/// Huawei: the access key ID of the pair that signs requests as Huawei's
/// SDKs do.
pub const HUAWEI_AK: &str = "SANDBOXACCESSKEY0001";
/// Huawei: the secret key of that pair.
pub const HUAWEI_SK: &str = "sandbox-secret-key";
