//! Empty: this crate exists for its tests, which are freepoll's (see Cargo.toml).
