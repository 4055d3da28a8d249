//! One module per lab page.

pub mod chat;
pub mod limiter;
