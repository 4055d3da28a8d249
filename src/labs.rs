//! One module per lab page.

pub mod limiter;
