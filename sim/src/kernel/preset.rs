//! A named starting point of a lab: params and seed. Every lab's presets are `Preset<ItsParams>`;
//! a preset's title and "what to watch" sentence live in the app's text table under its `id`.

#[derive(Clone, Debug, PartialEq)]
pub struct Preset<P> {
    pub id: &'static str,
    pub seed: u64,
    pub params: P,
    /// The report path of the figure the preset exists to show (`lost`, `final.lost`,
    /// `strategy.delete_then_update.stale_reads`; a latency by its path, read as its p99): what a
    /// sweep over seeds of the preset plots. A path in the `final` group is reported only by a lab
    /// that checks at rest, once the run is quiesced; any other is in the live figures.
    pub headline: &'static str,
}

/// The preset named `id` among `all`.
pub fn find<P>(all: Vec<Preset<P>>, id: &str) -> Option<Preset<P>> {
    all.into_iter().find(|p| p.id == id)
}
