//! One module per lab page.

pub mod cache;
pub mod chat;
pub mod flash_sale;
pub mod limiter;
pub mod queue;
