//! Scenarios that combine the labs' building blocks, and reference models defined exactly so that
//! other simulators can run the same thing.

pub mod flash_sale;
pub mod limiter_queue;
